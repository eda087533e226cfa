import type { Pool, PoolClient } from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { outboxBatchCtes, type OutboxMessage, type PostgresEventStore } from '@switchboard/eventsourcing';
import type { RoutingDecision } from '../domain/routing-decision.events';
import { PUBLISHED_DECISION_TYPES, toOutboxEntries, type PublishContext } from './to-integration-events';
import type { StatementPart } from './live-router';

export const callStreamId = (callId: string) => `routing-call-${callId}`;

const OFFER_EVENTS_DDL = `
create table if not exists routing_offer_events (
  event_id text primary key,
  call_id text not null,
  agent_id text not null,
  offer_seq bigint not null
);`;

interface StreamHead { version: number; published: number }

interface NumberedDecisions {
  readonly events: readonly { streamId: string; version: number; eventId: string; type: string; data: RoutingDecision }[];
  readonly outbox: readonly OutboxMessage[];
  readonly offers: readonly { eventId: string; callId: string; agentId: string; offerSeq: number }[];
}

/** Each decision at its stream's next version, and its published events numbered on from the stream's published count. */
function numbered(ctx: PublishContext, decisions: readonly RoutingDecision[], heads: Map<string, StreamHead>): NumberedDecisions {
  const events: NumberedDecisions['events'][number][] = [];
  const outbox: OutboxMessage[] = [];
  const offers: NumberedDecisions['offers'][number][] = [];
  for (const d of decisions) {
    const streamId = callStreamId(d.data.callId);
    const head = heads.get(streamId) ?? { version: 0, published: 0 };
    heads.set(streamId, head);
    head.version += 1;
    events.push({ streamId, version: head.version, eventId: uuidv7(), type: d.type, data: d });
    for (const { eventId, message } of toOutboxEntries(ctx, d.data.callId, [d], head.published + 1)) {
      head.published += 1;
      outbox.push(message);
      if (d.type === 'CallAssigned') offers.push({ eventId, callId: d.data.callId, agentId: d.data.agentId, offerSeq: d.data.offerSeq });
    }
  }
  return { events, outbox, offers };
}

/**
 * The events, offers and outbox rows as CTEs. The journal lock makes the chunk the only writer of routing-call
 * streams; the (stream_id, stream_version) key would still reject a concurrent writer. `offer_rows` is empty when
 * nothing was offered.
 */
function recordPart({ events, outbox, offers }: NumberedDecisions): StatementPart {
  return (first) => {
    const $ = (i: number) => `$${first + i}`;
    const own = [
      events.map((e) => e.streamId), events.map((e) => e.version), events.map((e) => e.eventId), events.map((e) => e.type), JSON.stringify(events.map((e) => e.data)),
      offers.map((o) => o.eventId), offers.map((o) => o.callId), offers.map((o) => o.agentId), offers.map((o) => o.offerSeq),
    ];
    const published = outboxBatchCtes(outbox, first + own.length);
    return {
      ctes: `decision_events as (
        insert into es_events (stream_id, stream_version, event_id, event_type, data)
        select s, v, id, t, ${$(4)}::jsonb -> (ord::int - 1) from unnest(${$(0)}::text[], ${$(1)}::int[], ${$(2)}::uuid[], ${$(3)}::text[]) with ordinality as e(s, v, id, t, ord)
        returning 1
      ), offer_rows as (
        insert into routing_offer_events (event_id, call_id, agent_id, offer_seq)
        select * from unnest(${$(5)}::text[], ${$(6)}::text[], ${$(7)}::text[], ${$(8)}::bigint[])
        returning 1
      )${published === null ? '' : `, ${published.sql}`}`,
      values: [...own, ...(published?.values ?? [])],
    };
  };
}

/**
 * Appends each call's decisions to its stream (`routing-call-<callId>`) with the contract events in the outbox,
 * inside the transaction that journals the inputs which caused them; published events are numbered (`sequence`)
 * without gaps, internal-only decisions skipped. A consumer chunk's decisions, over any number of calls, cost one
 * read of the streams' heads, and their writes are part of the chunk's one write statement (LiveRouter).
 */
export class PostgresDecisionSink {
  constructor(private readonly store: PostgresEventStore, private readonly ctx: PublishContext) {}

  static async migrate(pool: Pool): Promise<void> {
    await pool.query(OFFER_EVENTS_DDL);
  }

  /**
   * Reads the heads of the decisions' streams (one round trip; their `sequence` numbers go into the outbox payloads)
   * and returns the decisions' write as CTEs of the chunk's one statement: the events (`decision_events`), the
   * outbox rows (`outboxBatchCtes`: the writers' shared lock and the relay's notification, only if any decision is
   * published) and the offers' event ids (`offer_rows`). Null for no decisions.
   */
  async prepareRecord(client: PoolClient, decisions: readonly RoutingDecision[]): Promise<StatementPart | null> {
    if (decisions.length === 0) return null;
    const heads = await this.streamHeads(client, [...new Set(decisions.map((d) => callStreamId(d.data.callId)))]);
    return recordPart(numbered(this.ctx, decisions, heads));
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
