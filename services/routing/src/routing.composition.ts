import type { Pool } from 'pg';
import { systemEnvelopeDeps } from '@switchboard/contracts';
import { migrateEventStore, PostgresEventStore } from '@switchboard/eventsourcing';
import { LiveRouter } from './matching/application/live-router';
import { PostgresDecisionSink } from './matching/application/postgres-decision-sink';
import { InputJournal } from './matching/infrastructure/input-journal';
import { DEFAULT_SNAPSHOT_POLICY, PostgresSnapshotStore, type SnapshotPolicy } from './matching/infrastructure/engine-snapshot';
import { RoutingConfiguration } from './configuration/application/routing-configuration';
import { configurationInputs } from './configuration/application/rebuild-configuration';
import { configurationDrift } from './configuration/application/reconcile-configuration';
import type { RoutingDeps } from './grpc/routing.grpc-controller';
import { FloorAlerts } from './agent-state-limits/application/floor-alerts';
import { DEFAULT_STATE_LIMITS, type AgentStateLimitPolicy } from './agent-state-limits/domain/agent-state-limits';

/**
 * Builds the router over a database: migrates the event store and the input journal, resumes the latest engine
 * snapshot and replays the journal after it (live state as it was), then applies configuration the journal missed (at the routing clock's time). Shared by main.ts, the
 * routing worker and the integration tests.
 */
export async function composeRouting(pool: Pool, o: {
  tenant: string; site: string;
  /** Wall clock; routing's own clock follows event time from it at `clockSpeed` (ADR 0007). */
  clock: () => number; clockSpeed?: number;
  assignmentTopic?: string; floorTopic?: string; stateLimits?: AgentStateLimitPolicy;
  /** Engine snapshots bounding restart replay (defaults: DEFAULT_SNAPSHOT_POLICY). */
  snapshots?: Partial<SnapshotPolicy>;
}): Promise<RoutingDeps & { store: PostgresEventStore; floorAlerts: FloorAlerts }> {
  await migrateEventStore(pool);
  await InputJournal.migrate(pool);
  await PostgresSnapshotStore.migrate(pool);
  await PostgresDecisionSink.migrate(pool);
  await FloorAlerts.migrate(pool);
  const store = new PostgresEventStore(pool);
  const decisions = new PostgresDecisionSink(store, { tenant: o.tenant, site: o.site, deps: systemEnvelopeDeps, topic: o.assignmentTopic });
  const snapshots = { ...DEFAULT_SNAPSHOT_POLICY, ...o.snapshots };
  const router = new LiveRouter(pool, new InputJournal(), decisions, o.clock, o.clockSpeed,
    { store: new PostgresSnapshotStore(snapshots.journalRetentionMs), everyInputs: snapshots.everyInputs, everyMs: snapshots.everyMs });
  await router.restore();
  const at = router.clock();
  for (const input of configurationDrift(router.engine, await configurationInputs(store, at), at)) await router.apply(input);
  const floorAlerts = new FloorAlerts(pool, o.stateLimits ?? DEFAULT_STATE_LIMITS, { tenant: o.tenant, site: o.site, deps: systemEnvelopeDeps, topic: o.floorTopic });
  await floorAlerts.restore();
  return { store, decisions, router, configuration: new RoutingConfiguration(pool, store, router), floorAlerts };
}
