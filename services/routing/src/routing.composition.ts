import type { Pool } from 'pg';
import { systemEnvelopeDeps } from '@switchboard/contracts';
import { migrateEventStore, PostgresEventStore } from '@switchboard/eventsourcing';
import { LiveRouter } from './matching/application/live-router';
import { PostgresDecisionSink } from './matching/application/postgres-decision-sink';
import { RoutingConfiguration } from './configuration/application/routing-configuration';
import { configurationInputs } from './configuration/application/rebuild-configuration';
import type { RoutingDeps } from './grpc/routing.grpc-controller';

/**
 * Builds the router over a database: migrates the event store, restores configuration (policies, routable
 * skills, merges) into a fresh engine. Shared by main.ts and the integration tests.
 */
export async function composeRouting(pool: Pool, o: { tenant: string; site: string; clock: () => number }): Promise<RoutingDeps & { store: PostgresEventStore }> {
  await migrateEventStore(pool);
  const store = new PostgresEventStore(pool);
  const decisions = new PostgresDecisionSink(pool, store, { tenant: o.tenant, site: o.site, deps: systemEnvelopeDeps });
  const router = new LiveRouter(decisions, o.clock);
  for (const input of await configurationInputs(store, o.clock())) await router.apply(input);
  return { store, decisions, router, configuration: new RoutingConfiguration(pool, store, router) };
}
