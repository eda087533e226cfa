import type { Pool } from 'pg';
import { CALL_AGGREGATE_COLUMNS, CallAggregateRow, CallQuery, COUNTED_CALLS, Row, toAggregate } from './call-aggregate.query';

/**
 * Day / week / month reports per queue from a daily rollup of the active call-facts version, materialised per
 * (tenant, time zone, thresholds) the first time a day is asked for and dropped whenever the projection marks one of the
 * day's 15-minute bins as changed (late events, repeat-caller flags, a call moving bins). Counts, sums and the
 * longest wait of a period are the sums and the max of its days' figures, computed with the same SQL as the raw
 * report, so the figures are the raw ones. Ranges that do not start and end at local midnights are left to the raw
 * query (returns undefined).
 */
const INT_SUMS = ['offered', 'answered', 'abandoned', 'short_abandoned', 'answered_within', 'abandoned_within', 'timed_out', 'timed_out_within', 'transfers',
  'ring_violations', 'hold_violations', 'released_first', 'repeat_24h', 'followed_up_72h', 'released_at_transfer'];
const FLOAT_SUMS = ['answered_wait', 'talk', 'hold', 'acw'];
const PERIOD_COLUMNS = [...INT_SUMS.map((c) => `sum(${c})::int as ${c}`), ...FLOAT_SUMS.map((c) => `sum(${c})::float8 as ${c}`),
  'max(longest_wait)::float8 as longest_wait'].join(', ');

/**
 * Bumped when what a rollup row counts changes (2: released_first leaves transfer hand-overs out; 3: days are
 * materialised per tenant, the tenant in the fingerprint): days materialised under an older format are never read
 * again (they are dropped with their bins like any other).
 */
const ROLLUP_FORMAT = 3;

export async function queryPeriodFromRollup(pool: Pool, q: CallQuery): Promise<CallAggregateRow[] | undefined> {
  if (q.bucketing.kind !== 'period' || q.groupBy !== 'queue_id' || q.asOf) return undefined;
  const { rows: active } = await pool.query<{ v: number }>(`select active_version as v from es_projections where name = 'call_facts'`);
  if (!active[0]) return undefined;
  const t = `call_facts_v${active[0].v}`;
  const { rows: [aligned] } = await pool.query<{ ok: boolean }>(`select $1::timestamptz < $2::timestamptz
    and ($1::timestamptz at time zone $3)::time = '00:00' and ($2::timestamptz at time zone $3)::time = '00:00' as ok`, [q.start, q.end, q.timeZone]);
  if (!aligned.ok) return undefined;
  const p = q.parameters;
  const fingerprint = JSON.stringify([ROLLUP_FORMAT, q.tenant ?? null, q.timeZone, p.serviceLevelSeconds, p.shortAbandonSeconds, p.maxRings, p.maxHoldsPerCall, p.maxHoldSeconds]);
  await refreshDays(pool, t, q, fingerprint);
  const { rows } = await pool.query<Row>(`select grp, date_trunc($4, day_start at time zone $3) at time zone $3 as bucket, ${PERIOD_COLUMNS}
    from "${t}_rollup" where fingerprint = $5 and day_start >= $1 and day_start < $2 and ($6::text[] is null or grp = any($6))
    group by 1, 2 order by 1, 2`, [q.start, q.end, q.timeZone, q.bucketing.unit, fingerprint, q.groups ?? null]);
  return rows.map((r) => ({ group: r.grp, bucketStart: r.bucket, calls: toAggregate(r) }));
}

/**
 * (1) Consume the changed bins, dropping the days (of every fingerprint) they fall in; (2) materialise the range's
 * missing days. Two transactions so the projection, which row-locks the bins it marks, never waits on (2); both
 * under one advisory lock so no reader materialises a day another is invalidating.
 */
async function refreshDays(pool: Pool, t: string, q: CallQuery, fingerprint: string): Promise<void> {
  const client = await pool.connect();
  const locked = async (sql: string, values: unknown[], then?: (rows: { day_start: Date; day_end: Date }[]) => Promise<void>) => {
    await client.query('begin');
    try {
      await client.query('select pg_advisory_xact_lock(hashtext($1))', [`rollup:${t}`]);
      const { rows } = await client.query(sql, values);
      if (then && rows.length) await then(rows);
      await client.query('commit');
    } catch (e) {
      await client.query('rollback').catch(() => undefined);
      throw e;
    }
  };
  try {
    await locked(`with d as (delete from "${t}_dirty" returning bin),
        gone as (delete from "${t}_rollup_days" r using d where d.bin >= r.day_start and d.bin < r.day_end returning r.fingerprint, r.day_start)
      delete from "${t}_rollup" r using gone where r.fingerprint = gone.fingerprint and r.day_start = gone.day_start`, []);
    const p = q.parameters;
    // $3–$7 are the thresholds CALL_AGGREGATE_COLUMNS reads.
    // Only when days are missing: with none, the aggregate would still make the planner scan the facts.
    await locked(`insert into "${t}_rollup_days" (fingerprint, day_start, day_end)
      select $3, d at time zone $4, (d + interval '1 day') at time zone $4
      from generate_series($1::timestamptz at time zone $4, $2::timestamptz at time zone $4 - interval '1 day', interval '1 day') d
      on conflict do nothing returning day_start, day_end`, [q.start, q.end, fingerprint, q.timeZone], async (missing) => {
      // $3–$7 are the thresholds CALL_AGGREGATE_COLUMNS reads.
      await client.query(`insert into "${t}_rollup" select $8, m.day_start, f.queue_id, ${CALL_AGGREGATE_COLUMNS}
        from unnest($1::timestamptz[], $2::timestamptz[]) m(day_start, day_end) join "${t}" f on f.queued_at >= m.day_start and f.queued_at < m.day_end
        where ${COUNTED_CALLS} and f.queue_id is not null and ($9::text is null or f.tenant = $9) group by m.day_start, f.queue_id`,
      [missing.map((m) => m.day_start), missing.map((m) => m.day_end), p.serviceLevelSeconds, p.shortAbandonSeconds, p.maxRings,
        p.maxHoldsPerCall, p.maxHoldSeconds, fingerprint, q.tenant ?? null]);
    });
  } finally {
    client.release();
  }
}
