import { commonServiceConfig, Env, loadConfig } from '@switchboard/config';

export const loadServiceConfig = (env: Env) =>
  loadConfig(env, (e) => ({
    ...commonServiceConfig(e, 'routing', { grpcPort: 50052, metricsPort: 9462 }),
    /** Stamped on published routing decisions (CloudEvents `tenant` / `site`). */
    tenant: e.get('TENANT_ID').default('default').asString(),
    site: e.get('SITE_ID').default('main').asString(),
    /** How often (wall ms) waiting calls are checked for expired policy steps and agent holds. */
    clockTickMs: e.get('ROUTING_CLOCK_TICK_MS').default('1000').asIntPositive(),
    /** PBX ms per wall ms between events (ADR 0007): 1 for a real PBX, the simulator's speed against it. */
    clockSpeed: e.get('ROUTING_CLOCK_SPEED').default('1').asFloatPositive(),
    /** Engine snapshots bound the journal replayed on restart: every N inputs or T seconds, journal kept for H hours. */
    snapshots: {
      everyInputs: e.get('ROUTING_SNAPSHOT_EVERY_INPUTS').default('10000').asIntPositive(),
      everyMs: e.get('ROUTING_SNAPSHOT_EVERY_SECONDS').default('300').asIntPositive() * 1000,
      journalRetentionMs: e.get('ROUTING_JOURNAL_RETENTION_HOURS').default('168').asIntPositive() * 3_600_000,
    },
  }));

export type RoutingServiceConfig = ReturnType<typeof loadServiceConfig>;
