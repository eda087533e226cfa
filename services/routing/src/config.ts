import { commonServiceConfig, Env, loadConfig } from '@switchboard/config';

export const loadServiceConfig = (env: Env) =>
  loadConfig(env, (e) => ({
    ...commonServiceConfig(e, 'routing', { grpcPort: 50052, metricsPort: 9462 }),
    /** Stamped on published routing decisions (CloudEvents `tenant` / `site`). */
    tenant: e.get('TENANT_ID').default('default').asString(),
    site: e.get('SITE_ID').default('main').asString(),
    /** How often waiting calls are checked for expired policy steps. */
    clockTickMs: e.get('ROUTING_CLOCK_TICK_MS').default('1000').asIntPositive(),
  }));

export type RoutingServiceConfig = ReturnType<typeof loadServiceConfig>;
