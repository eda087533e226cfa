import type { Pool, PoolClient } from 'pg';
import type { PostgresEventStore } from '@switchboard/eventsourcing';
import type { RoutingDecision } from '../domain/routing-decision.events';
import { toContract, toOutboxEntries, type PublishContext } from './to-integration-events';

export const callStreamId = (callId: string) => `routing-call-${callId}`;

const OFFER_EVENTS_DDL = `
create table if not exists routing_offer_events (
  event_id text primary key,
  call_id text not null,
  agent_id text not null,
  offer_seq bigint not null
);`;

/**
 * Appends each call's decisions to its stream (`routing-call-<callId>`) with the contract events in the outbox,
 * inside the transaction that journals the input which caused them; published events are numbered
 * (`sequence`) without gaps, internal-only decisions skipped.
 */
export class PostgresDecisionSink {
  constructor(private readonly store: PostgresEventStore, private readonly ctx: PublishContext) {}

  static async migrate(pool: Pool): Promise<void> {
    await pool.query(OFFER_EVENTS_DDL);
  }

  async recordWithin(client: PoolClient, decisions: readonly RoutingDecision[]): Promise<void> {
    const byCall = new Map<string, RoutingDecision[]>();
    for (const d of decisions) byCall.set(d.data.callId, [...(byCall.get(d.data.callId) ?? []), d]);
    for (const [callId, ds] of byCall) {
      const { events, version } = await this.store.readStream(callStreamId(callId), client);
      const publishedSoFar = events.filter((e) => toContract(e.data as RoutingDecision) !== null).length;
      const entries = toOutboxEntries(this.ctx, callId, ds, publishedSoFar + 1);
      await this.store.appendWithin(client, callStreamId(callId), ds.map((d) => ({ type: d.type, data: d })), {
        expectedVersion: version, outbox: entries.map((e) => e.message),
      });
      for (const { decision: d, eventId } of entries) {
        if (d.type !== 'CallAssigned') continue;
        await client.query('insert into routing_offer_events (event_id, call_id, agent_id, offer_seq) values ($1, $2, $3, $4)', [eventId, callId, d.data.agentId, d.data.offerSeq]);
      }
    }
  }

  /** The offer a published assignment carried (`CallAssignmentFailed.assignmentEventId`), or null if not ours. */
  async offerOf(client: PoolClient, assignmentEventId: string): Promise<number | null> {
    const { rows } = await client.query<{ offer_seq: string }>('select offer_seq from routing_offer_events where event_id = $1', [assignmentEventId]);
    return rows.length === 0 ? null : Number(rows[0].offer_seq);
  }

  /** The latest assignment of a call, for ExplainRouting. */
  async lastAssignment(callId: string): Promise<Extract<RoutingDecision, { type: 'CallAssigned' }> | undefined> {
    const { events } = await this.store.readStream(callStreamId(callId));
    const assigned = events.map((e) => e.data as RoutingDecision).filter((d) => d.type === 'CallAssigned');
    return assigned[assigned.length - 1] as Extract<RoutingDecision, { type: 'CallAssigned' }> | undefined;
  }
}
