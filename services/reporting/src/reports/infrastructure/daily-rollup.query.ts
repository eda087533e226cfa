import type { Pool } from 'pg';
import { CALL_AGGREGATE_COLUMNS, CallAggregateRow, CallQuery, COUNTED_CALLS, Row, toAggregate } from './call-aggregate.query';

/**
 * Day / week / month reports per queue, agent, team and site from a daily rollup of the active call-facts version,
 * materialised per (dimension, tenant, time zone, thresholds) the first time a day is asked for and dropped whenever the projection marks one of the
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

/**
 * What a rollup row is per: the queue, the answering agent or the PBX site of the visits. Teams have no rollup of their
 * own: a team's day is the sum of its agents' days, joined to the agent directory when read, so moving an agent to
 * another team changes no materialised row (and the figures are those of the raw query, which joins the same way).
 */
type Dimension = 'queue' | 'agent' | 'site';
const GROUP_COLUMN: Record<Dimension, string> = { queue: 'f.queue_id', agent: 'f.agent_id', site: 'f.site' };

/** Which rollup days one materialisation covers: a dimension, in one zone, for one tenant (or all), under one threshold set. */
function fingerprintOf(q: CallQuery, dimension: Dimension, zone: string): string {
  const p = q.parameters;
  const key: unknown[] = [ROLLUP_FORMAT, q.tenant ?? null, zone, p.serviceLevelSeconds, p.shortAbandonSeconds, p.maxRings, p.maxHoldsPerCall, p.maxHoldSeconds];
  // The queue rollup's fingerprint predates dimensions: days already materialised for it stay valid.
  return JSON.stringify(dimension === 'queue' ? key : [...key, dimension]);
}

/**
 * Day / week / month reports from the daily rollup, the same rows the raw query gives (`queryCallAggregates`): per
 * queue or agent (days in `timeZone`), per team (its agents' days, in the team's site's zone) or per site (in the site's
 * zone). Undefined = not answerable from whole local days (the caller uses the raw query): not a period bucketing, an
 * `asOf` view, a range not starting and ending at local midnight in every zone involved, or per agent or team without a
 * tenant (agent ids are per tenant).
 */
export async function queryPeriodFromRollup(pool: Pool, q: CallQuery): Promise<CallAggregateRow[] | undefined> {
  if (q.bucketing.kind !== 'period' || q.asOf) return undefined;
  if ((q.groupBy === 'agent_id' || q.groupBy === 'team') && q.tenant === undefined) return undefined;
  const { rows: active } = await pool.query<{ v: number }>(`select active_version as v from es_projections where name = 'call_facts'`);
  if (!active[0]) return undefined;
  const t = `call_facts_v${active[0].v}`;
  const zones = await zonesOf(pool, q);
  if (!(await alignedInEvery(pool, q, zones))) return undefined;
  const dimension: Dimension = q.groupBy === 'queue_id' ? 'queue' : q.groupBy === 'site' ? 'site' : 'agent';
  const fingerprints = zones.map((zone) => fingerprintOf(q, dimension, zone));
  for (const [i, zone] of zones.entries()) await refreshDays(pool, t, q, dimension, zone, fingerprints[i]);
  const sites = Object.entries(q.siteTimeZones ?? {});
  // $1 start, $2 end, $3 unit, $4 fingerprints, $5 their zones, $6 groups, $7 default zone, $8/$9 site zones, $10 tenant.
  const siteZone = (site: string) => `coalesce((select s.zone from unnest($8::text[], $9::text[]) s(site, zone) where s.site = ${site}), $7)`;
  const from = q.groupBy === 'team'
    ? { grp: 'd.team_id', join: `join reporting_agent_teams d on d.tenant = $10 and d.agent_id = r.grp and ${siteZone('d.site_id')} = z.zone` }
    : q.groupBy === 'site' ? { grp: 'r.grp', join: `where ${siteZone('r.grp')} = z.zone` } : { grp: 'r.grp', join: '' };
  // The never-read CTE gives every parameter a type: Postgres rejects untyped ones the chosen grouping leaves unused.
  const { rows } = await pool.query<Row>(`with params as (select $7::text as default_zone, $8::text[] as sites, $9::text[] as site_zones, $10::text as tenant)
    select ${from.grp} as grp, date_trunc($3, r.day_start at time zone z.zone) at time zone z.zone as bucket, ${PERIOD_COLUMNS}
    from unnest($4::text[], $5::text[]) z(fingerprint, zone) join "${t}_rollup" r on r.fingerprint = z.fingerprint and r.day_start >= $1 and r.day_start < $2
    ${from.join} ${from.join.startsWith('where') ? 'and' : 'where'} ($6::text[] is null or ${from.grp} = any($6))
    group by 1, 2 order by 1, 2`,
  [q.start, q.end, q.bucketing.unit, fingerprints, zones, q.groups ?? null, q.timeZone, sites.map(([site]) => site), sites.map(([, zone]) => zone), q.tenant ?? null]);
  return rows.map((r) => ({ group: r.grp, bucketStart: r.bucket, calls: toAggregate(r) }));
}

/**
 * The zones whose days a report needs: the report's zone per queue and agent; per team the zones of the sites its
 * tenant's directory places agents in; per site the listed site zones and the default (any other site).
 */
async function zonesOf(pool: Pool, q: CallQuery): Promise<string[]> {
  const zoneOf = (site: string) => q.siteTimeZones?.[site] ?? q.timeZone;
  if (q.groupBy === 'queue_id' || q.groupBy === 'agent_id') return [q.timeZone];
  if (q.groupBy === 'site') return [...new Set([q.timeZone, ...Object.values(q.siteTimeZones ?? {})])].sort();
  const { rows } = await pool.query<{ site_id: string }>(`select distinct site_id from reporting_agent_teams where tenant = $1
    and ($2::text[] is null or team_id = any($2))`, [q.tenant, q.groups ?? null]);
  return [...new Set(rows.map((r) => zoneOf(r.site_id)))].sort();
}

async function alignedInEvery(pool: Pool, q: CallQuery, zones: readonly string[]): Promise<boolean> {
  if (zones.length === 0) return q.start < q.end;
  const { rows: [r] } = await pool.query<{ ok: boolean }>(`select $1::timestamptz < $2::timestamptz and bool_and(($1::timestamptz at time zone z)::time = '00:00'
    and ($2::timestamptz at time zone z)::time = '00:00') as ok from unnest($3::text[]) z`, [q.start, q.end, zones]);
  return r.ok;
}

/**
 * (1) Consume the changed bins, dropping the days (of every fingerprint) they fall in; (2) materialise the range's
 * missing days. Two transactions so the projection, which row-locks the bins it marks, never waits on (2); both
 * under one advisory lock so no reader materialises a day another is invalidating.
 */
async function refreshDays(pool: Pool, t: string, q: CallQuery, dimension: Dimension, zone: string, fingerprint: string): Promise<void> {
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
    // Only when days are missing: with none, the aggregate would still make the planner scan the facts.
    await locked(`insert into "${t}_rollup_days" (fingerprint, day_start, day_end)
      select $3, d at time zone $4, (d + interval '1 day') at time zone $4
      from generate_series($1::timestamptz at time zone $4, $2::timestamptz at time zone $4 - interval '1 day', interval '1 day') d
      on conflict do nothing returning day_start, day_end`, [q.start, q.end, fingerprint, zone], async (missing) => {
      const group = GROUP_COLUMN[dimension];
      // $3–$7 are the thresholds CALL_AGGREGATE_COLUMNS reads.
      await client.query(`insert into "${t}_rollup" select $8, m.day_start, ${group}, ${CALL_AGGREGATE_COLUMNS}
        from unnest($1::timestamptz[], $2::timestamptz[]) m(day_start, day_end) join "${t}" f on f.queued_at >= m.day_start and f.queued_at < m.day_end
        where ${COUNTED_CALLS} and ${group} is not null and ($9::text is null or f.tenant = $9) group by m.day_start, ${group}`,
      [missing.map((m) => m.day_start), missing.map((m) => m.day_end), p.serviceLevelSeconds, p.shortAbandonSeconds, p.maxRings,
        p.maxHoldsPerCall, p.maxHoldSeconds, fingerprint, q.tenant ?? null]);
    });
  } finally {
    client.release();
  }
}
