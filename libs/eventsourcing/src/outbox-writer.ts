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
  if (messages.length === 0) return;
  const trace = injectTraceHeaders({});
  const traced = Object.keys(trace).length > 0;
  const values = messages.map((m) => (Buffer.isBuffer(m.value) ? m.value : Buffer.from(m.value)));
  const lengths = values.map((v) => v.length);
  // Held until commit: the relay takes this lock exclusively before reading, so it never reads past a writer in
  // flight. It is taken before the insert draws positions; the notification is delivered at commit.
  await client.query(`select pg_advisory_xact_lock_shared($1), pg_notify('es_outbox', '')`, [OUTBOX_WRITE_LOCK]);
  await client.query(
    `insert into es_outbox (topic, message_key, value, headers)
     select m.topic, m.message_key, substring($3::bytea from (m.ends - m.len + 1)::int for m.len), $5::jsonb -> (m.ord::int - 1)
       from (select t.*, sum(t.len) over (order by t.ord) as ends
               from unnest($1::text[], $2::text[], $4::int[]) with ordinality as t(topic, message_key, len, ord)) m
      order by m.ord`,
    [messages.map((m) => m.topic), messages.map((m) => m.key), Buffer.concat(values), lengths,
      JSON.stringify(messages.map((m) => (traced ? { ...trace, ...m.headers } : m.headers ?? {})))]);
}
