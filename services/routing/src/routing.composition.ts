import type { Pool } from 'pg';
import { systemEnvelopeDeps } from '@switchboard/contracts';
import { migrateEventStore, PostgresEventStore } from '@switchboard/eventsourcing';
import { LiveRouter } from './matching/application/live-router';
import { PostgresDecisionSink } from './matching/application/postgres-decision-sink';
import { InputJournal } from './matching/infrastructure/input-journal';
import { RoutingConfiguration } from './configuration/application/routing-configuration';
import { configurationInputs } from './configuration/application/rebuild-configuration';
import { configurationDrift } from './configuration/application/reconcile-configuration';
import type { RoutingDeps } from './grpc/routing.grpc-controller';

/**
 * Builds the router over a database: migrates the event store and the input journal, replays the journal into a
 * fresh engine (live state as it was), then applies configuration the journal missed. Shared by main.ts, the
 * routing worker and the integration tests.
 */
export async function composeRouting(pool: Pool, o: { tenant: string; site: string; clock: () => number; assignmentTopic?: string }): Promise<RoutingDeps & { store: PostgresEventStore }> {
  await migrateEventStore(pool);
  await InputJournal.migrate(pool);
  const store = new PostgresEventStore(pool);
  const decisions = new PostgresDecisionSink(store, { tenant: o.tenant, site: o.site, deps: systemEnvelopeDeps, topic: o.assignmentTopic });
  const router = new LiveRouter(pool, new InputJournal(), decisions, o.clock);
  await router.restore();
  const at = o.clock();
  for (const input of configurationDrift(router.engine, await configurationInputs(store, at), at)) await router.apply(input);
  return { store, decisions, router, configuration: new RoutingConfiguration(pool, store, router) };
}
