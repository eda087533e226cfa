import type { PoolClient } from 'pg';
import { injectTraceHeaders } from '@switchboard/service-kit';
import { OUTBOX_WRITE_LOCK, type OutboxMessage } from './event-store';

/**
 * `writeOutbox` for large batches (same lock, rows, order and notification), with a cheaper wire form: the values
 * travel as ONE binary bytea parameter cut apart in SQL, and the headers as one JSON array. node-postgres would
 * otherwise render a `bytea[]` as a hex text literal and escape every JSON header object inside a `jsonb[]`
 * literal, which costs more CPU than everything else in a high-rate writer (gateway benchmark, BENCHMARKS.md).
 */
export async function writeOutboxBatch(client: PoolClient, messages: readonly OutboxMessage[]): Promise<void> {
  const outbox = outboxBatchCtes(messages, 1);
  if (outbox === null) return;
  await client.query(`with ${outbox.sql} select 1`, outbox.values);
}

/**
 * The rows of `writeOutboxBatch` as common table expressions (`outbox_lock`, `outbox_rows`; parameters from
 * `$firstParam`), for a writer that stores them with its own state in ONE statement: a single statement is atomic
 * without `begin`/`commit`, so such a write is one round trip instead of five. The writers' lock is held until the
 * statement's transaction ends, and it is taken before any position is drawn: every inserted row joins the lock's
 * row, so no row (and no `nextval`) exists before the lock is granted. Null for no messages (no lock, no
 * notification).
 */
export function outboxBatchCtes(messages: readonly OutboxMessage[], firstParam: number): { sql: string; values: unknown[] } | null {
  if (messages.length === 0) return null;
  const trace = injectTraceHeaders({});
  const traced = Object.keys(trace).length > 0;
  const values = messages.map((m) => (Buffer.isBuffer(m.value) ? m.value : Buffer.from(m.value)));
  const $ = (i: number) => `$${firstParam + i}`;
  // The notification is delivered at commit: the relay never wakes for rows it cannot see yet.
  const sql = `outbox_lock as materialized (select pg_advisory_xact_lock_shared(${OUTBOX_WRITE_LOCK}) as held, pg_notify('es_outbox', '') as notified),
    outbox_rows as (
      insert into es_outbox (topic, message_key, value, headers)
      select m.topic, m.message_key, substring(${$(2)}::bytea from (m.ends - m.len + 1)::int for m.len), ${$(4)}::jsonb -> (m.ord::int - 1)
        from (select t.*, sum(t.len) over (order by t.ord) as ends
                from unnest(${$(0)}::text[], ${$(1)}::text[], ${$(3)}::int[]) with ordinality as t(topic, message_key, len, ord)) m
       cross join outbox_lock
       order by m.ord
      returning 1)`;
  return {
    sql,
    values: [messages.map((m) => m.topic), messages.map((m) => m.key), Buffer.concat(values), values.map((v) => v.length),
      JSON.stringify(messages.map((m) => (traced ? { ...trace, ...m.headers } : m.headers ?? {})))],
  };
}
