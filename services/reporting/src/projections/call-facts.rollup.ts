import type { PoolClient } from 'pg';

/**
 * Daily rollup companions of one call-facts version. Days depend on the site's time zone and counts on the KPI
 * thresholds, which readers choose, so the projection does not aggregate itself: it records which 15-minute bins
 * of `queued_at` (every real zone's midnight falls on one) had a call change, and readers materialise days per
 * (zone, thresholds) on demand, dropping the days those bins fall in first (`reports/infrastructure/daily-rollup`).
 */
export const DIRTY_BIN = (column: string) => `date_bin(interval '15 minutes', ${column}, timestamptz '2000-01-01 00:00+00')`;

export const rollupTables = (t: string) => ({ dirty: `${t}_dirty`, days: `${t}_rollup_days`, rollup: `${t}_rollup` });

export async function initRollup(client: PoolClient, t: string): Promise<void> {
  const { dirty, days, rollup } = rollupTables(t);
  await client.query(`create table if not exists "${dirty}" (bin timestamptz primary key, n bigint not null default 1)`);
  await client.query(`create table if not exists "${days}" (fingerprint text not null, day_start timestamptz not null,
    day_end timestamptz not null, primary key (fingerprint, day_start))`);
  await client.query(`create table if not exists "${rollup}" (fingerprint text not null, day_start timestamptz not null, grp text not null,
    offered int not null, answered int not null, abandoned int not null, short_abandoned int not null, answered_within int not null,
    abandoned_within int not null, timed_out int not null, timed_out_within int not null, answered_wait float8 not null, longest_wait float8 not null, talk float8 not null, hold float8 not null,
    acw float8 not null, transfers int not null, ring_violations int not null, hold_violations int not null, released_first int not null,
    repeat_24h int not null, followed_up_72h int not null, primary key (fingerprint, day_start, grp))`);
  // Added after v2's first release; appended so the table's column order stays that of CALL_AGGREGATE_COLUMNS.
  await client.query(`alter table "${rollup}" add column if not exists released_at_transfer int not null default 0`);
}

const BIN_ORIGIN_MS = Date.parse('2000-01-01T00:00:00Z');
const BIN_MS = 15 * 60_000;
/** `DIRTY_BIN` in TypeScript, for bins known in memory. */
export const dirtyBinOf = (ms: number): number => BIN_ORIGIN_MS + Math.floor((ms - BIN_ORIGIN_MS) / BIN_MS) * BIN_MS;

/** Marks the given bins (epoch ms) as changed, in one statement; the same row lock as `markDirtyCalls`. */
export async function markDirtyBins(client: PoolClient, t: string, binsMs: Iterable<number>): Promise<void> {
  const bins = [...new Set(binsMs)].sort((a, b) => a - b).map((ms) => new Date(ms).toISOString());
  if (bins.length === 0) return;
  await client.query(`insert into "${t}_dirty" (bin) select unnest($1::timestamptz[]) on conflict (bin) do update set n = "${t}_dirty".n + 1`, [bins]);
}

/**
 * Marks the bins the given calls queue in as changed. Called before and after a write (a call may move bins).
 * `do update` (not `do nothing`) takes the row lock, so a reader consuming the bin waits for this transaction.
 */
export async function markDirtyCalls(client: PoolClient, t: string, callIds: readonly string[]): Promise<void> {
  await client.query(`insert into "${t}_dirty" (bin) select distinct ${DIRTY_BIN('queued_at')} from "${t}"
    where call_id = any($1::text[]) and queued_at is not null order by 1 on conflict (bin) do update set n = "${t}_dirty".n + 1`, [callIds]);
}
