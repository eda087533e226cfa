import type { Pool, PoolClient, QueryResult } from 'pg';
import type { RoutingInput } from '../domain/routing-inputs';
import { decodeInput, encodeInput } from '../application/input-codec';
import type { JournalEntry, StatementPart } from '../application/live-router';

const JOURNAL_DDL = `
create table if not exists routing_input_journal (
  seq bigint primary key,
  input jsonb not null,
  recorded_at timestamptz not null default now()
);
alter table routing_input_journal add column if not exists wall_ms bigint;`;

// Every writer of the journal holds this transaction-scoped lock, so inputs get gap-free sequence numbers in
// commit order and the in-memory engine is only ever advanced by one transaction at a time.
const JOURNAL_LOCK = 7_426_611;

/**
 * Every input the engine was given, in order, written in the transaction that also records the input's decisions
 * (and, for consumed telephony events, the consumer offsets). Replaying it rebuilds the live engine exactly.
 */
export class InputJournal {
  static async migrate(pool: Pool): Promise<void> {
    await pool.query(JOURNAL_DDL);
  }

  /**
   * Takes the journal lock and reads the head in one round trip: two statements in one simple-protocol string (no
   * parameters), each with its own snapshot, so the head is read after the lock is granted (a subquery of the
   * locking statement would read it before). Inside the caller's transaction, which holds the lock until it ends.
   */
  async lockedHead(client: PoolClient): Promise<number> {
    const results = (await client.query(
      `select pg_advisory_xact_lock(${JOURNAL_LOCK}); select max(seq) as seq from routing_input_journal`)) as unknown as QueryResult<{ seq: string | null }>[];
    return Number(results[1].rows[0].seq ?? 0);
  }

  /**
   * The insert of a chunk's consecutive entries, as the `journal_rows` CTE of the chunk's one write statement. The
   * inputs travel as one JSON array (a `jsonb[]` parameter would be escaped element by element); `wallMs` is the
   * wall clock when each input was applied (the routing clock runs on from it).
   */
  appendPart(entries: readonly JournalEntry[]): StatementPart {
    return (first) => ({
      ctes: `journal_rows as (
        insert into routing_input_journal (seq, input, wall_ms)
        select s.seq, $${first + 1}::jsonb -> (s.ord::int - 1), s.wall_ms from unnest($${first}::bigint[], $${first + 2}::bigint[]) with ordinality as s(seq, wall_ms, ord)
        returning 1)`,
      values: [entries.map((e) => e.seq), JSON.stringify(entries.map((e) => encodeInput(e.input))), entries.map((e) => e.wallMs)],
    });
  }

  /** Pages through the inputs after `afterSeq`, in order. */
  async *readAfter(client: PoolClient, afterSeq: number, pageSize = 5000): AsyncGenerator<{ seq: number; input: RoutingInput; wallMs: number | null }> {
    for (let after = afterSeq; ;) {
      const { rows } = await client.query<{ seq: string; input: unknown; wall_ms: string | null }>(
        'select seq, input, wall_ms from routing_input_journal where seq > $1 order by seq limit $2', [after, pageSize]);
      for (const r of rows) yield { seq: Number(r.seq), input: decodeInput(r.input), wallMs: r.wall_ms === null ? null : Number(r.wall_ms) };
      if (rows.length < pageSize) return;
      after = Number(rows[rows.length - 1].seq);
    }
  }
}
