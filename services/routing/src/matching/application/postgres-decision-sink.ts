import type { Pool, PoolClient } from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { writeOutbox, type OutboxMessage, type PostgresEventStore } from '@switchboard/eventsourcing';
import type { RoutingDecision } from '../domain/routing-decision.events';
import { PUBLISHED_DECISION_TYPES, toOutboxEntries, type PublishContext } from './to-integration-events';

export const callStreamId = (callId: string) => `routing-call-${callId}`;

const OFFER_EVENTS_DDL = `
create table if not exists routing_offer_events (
  event_id text primary key,
  call_id text not null,
  agent_id text not null,
  offer_seq bigint not null
);`;

interface StreamHead { version: number; published: number }

/**
 * Appends each call's decisions to its stream (`routing-call-<callId>`) with the contract events in the outbox,
 * inside the transaction that journals the inputs which caused them; published events are numbered (`sequence`)
 * without gaps, internal-only decisions skipped. A consumer chunk's decisions, over any number of calls, cost one
 * read of the streams' heads, one event insert, one outbox write and one insert of the offers' event ids.
 */
export class PostgresDecisionSink {
  constructor(private readonly store: PostgresEventStore, private readonly ctx: PublishContext) {}

  static async migrate(pool: Pool): Promise<void> {
    await pool.query(OFFER_EVENTS_DDL);
  }

  async recordWithin(client: PoolClient, decisions: readonly RoutingDecision[]): Promise<void> {
    if (decisions.length === 0) return;
    const heads = await this.streamHeads(client, [...new Set(decisions.map((d) => callStreamId(d.data.callId)))]);
    const events: { streamId: string; version: number; type: string; data: RoutingDecision }[] = [];
    const outbox: OutboxMessage[] = [];
    const offers: { eventId: string; callId: string; agentId: string; offerSeq: number }[] = [];
    for (const d of decisions) {
      const streamId = callStreamId(d.data.callId);
      const head = heads.get(streamId) ?? { version: 0, published: 0 };
      heads.set(streamId, head);
      head.version += 1;
      events.push({ streamId, version: head.version, type: d.type, data: d });
      for (const { eventId, message } of toOutboxEntries(this.ctx, d.data.callId, [d], head.published + 1)) {
        head.published += 1;
        outbox.push(message);
        if (d.type === 'CallAssigned') offers.push({ eventId, callId: d.data.callId, agentId: d.data.agentId, offerSeq: d.data.offerSeq });
      }
    }
    // The journal lock makes this the only writer of routing-call streams; the (stream_id, stream_version) key
    // would still reject a concurrent writer.
    await client.query(
      `insert into es_events (stream_id, stream_version, event_id, event_type, data)
       select s, v, id, t, $5::jsonb -> (ord::int - 1) from unnest($1::text[], $2::int[], $3::uuid[], $4::text[]) with ordinality as e(s, v, id, t, ord)`,
      [events.map((e) => e.streamId), events.map((e) => e.version), events.map(() => uuidv7()), events.map((e) => e.type), JSON.stringify(events.map((e) => e.data))]);
    if (outbox.length > 0) await writeOutbox(client, outbox);
    if (offers.length > 0) {
      await client.query(
        `insert into routing_offer_events (event_id, call_id, agent_id, offer_seq)
         select * from unnest($1::text[], $2::text[], $3::text[], $4::bigint[])`,
        [offers.map((o) => o.eventId), offers.map((o) => o.callId), offers.map((o) => o.agentId), offers.map((o) => o.offerSeq)]);
    }
  }

  /** The offer each published assignment carried (`CallAssignmentFailed.assignmentEventId`); ids not ours are absent. */
  async offersOf(client: PoolClient, assignmentEventIds: readonly string[]): Promise<ReadonlyMap<string, number>> {
    const { rows } = await client.query<{ event_id: string; offer_seq: string }>(
      'select event_id, offer_seq from routing_offer_events where event_id = any($1::text[])', [[...assignmentEventIds]]);
    return new Map(rows.map((r) => [r.event_id, Number(r.offer_seq)]));
  }

  /** The latest assignment of a call, for ExplainRouting. */
  async lastAssignment(callId: string): Promise<Extract<RoutingDecision, { type: 'CallAssigned' }> | undefined> {
    const { events } = await this.store.readStream(callStreamId(callId));
    const assigned = events.map((e) => e.data as RoutingDecision).filter((d) => d.type === 'CallAssigned');
    return assigned[assigned.length - 1] as Extract<RoutingDecision, { type: 'CallAssigned' }> | undefined;
  }

  /** Version and count of published events of each stream that has any. */
  private async streamHeads(client: PoolClient, streamIds: readonly string[]): Promise<Map<string, StreamHead>> {
    const { rows } = await client.query<{ stream_id: string; version: number; published: number }>(
      `select stream_id, max(stream_version)::int as version, (count(*) filter (where event_type = any($2::text[])))::int as published
         from es_events where stream_id = any($1::text[]) group by stream_id`, [[...streamIds], [...PUBLISHED_DECISION_TYPES]]);
    return new Map(rows.map((r) => [r.stream_id, { version: r.version, published: r.published }]));
  }
}
