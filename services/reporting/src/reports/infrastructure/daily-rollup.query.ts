import type { CustomTypesConfig, Pool, PoolClient } from 'pg';
import type { KpiParameters } from '../../kpis/domain/kpi';
import { CALL_AGGREGATE_COLUMNS, CallAggregateRow, CallQuery, COUNTED_CALLS, Row, toAggregate } from './call-aggregate.query';

/**
 * Day / week / month reports per queue, agent, team and site from a daily rollup of the active call-facts version,
 * materialised per (dimension, tenant, time zone, thresholds) ahead of time by the rollup materialiser (the service's
 * default fingerprints, `application/rollup-materialiser`) or else the first time a day is asked for, and dropped whenever the projection marks one of the
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
export type RollupDimension = 'queue' | 'agent' | 'site';
const GROUP_COLUMN: Record<RollupDimension, string> = { queue: 'f.queue_id', agent: 'f.agent_id', site: 'f.site' };

/** Which rollup days one materialisation covers: a dimension, in one zone, for one tenant (undefined = all), under one threshold set. */
export interface RollupKey {
  readonly dimension: RollupDimension;
  readonly zone: string;
  readonly tenant: string | undefined;
  readonly parameters: KpiParameters;
}

function fingerprintOf(k: RollupKey): string {
  const p = k.parameters;
  const key: unknown[] = [ROLLUP_FORMAT, k.tenant ?? null, k.zone, p.serviceLevelSeconds, p.shortAbandonSeconds, p.maxRings, p.maxHoldsPerCall, p.maxHoldSeconds];
  // The queue rollup's fingerprint predates dimensions: days already materialised for it stay valid.
  return JSON.stringify(k.dimension === 'queue' ? key : [...key, k.dimension]);
}

/** The active call-facts table, or undefined before the first version is active. */
export async function activeCallFactsTable(pool: Pool): Promise<string | undefined> {
  const { rows } = await pool.query<{ v: number }>(`select active_version as v from es_projections where name = 'call_facts'`);
  return rows[0] ? `call_facts_v${rows[0].v}` : undefined;
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
  const t = await activeCallFactsTable(pool);
  if (!t) return undefined;
  const zones = await zonesOf(pool, q);
  if (!(await alignedInEvery(pool, q, zones))) return undefined;
  const dimension: RollupDimension = q.groupBy === 'queue_id' ? 'queue' : q.groupBy === 'site' ? 'site' : 'agent';
  const keys = zones.map((zone): RollupKey => ({ dimension, zone, tenant: q.tenant, parameters: q.parameters }));
  const fingerprints = keys.map(fingerprintOf);
  await consumeChangedBins(pool, t);
  for (const key of keys) await materialiseMissingDays(pool, t, key, q);
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

/** A range of whole local days: `start` and `end` are local midnights in the zone it is cut in. */
export interface DayRange {
  readonly start: Date;
  readonly end: Date;
}

/**
 * Step (1) of every refresh: consume the changed bins, dropping the days (of every fingerprint) they fall in; returns
 * the bins. Its own transaction so the projection, which row-locks the bins it marks, never waits on a
 * materialisation; under the rollup's advisory lock so no materialisation runs between a bin's consumption and the
 * drop of its days.
 */
export async function consumeChangedBins(pool: Pool, t: string): Promise<Date[]> {
  return underRollupLock(pool, t, async (client) => {
    const { rows } = await client.query<{ bin: Date }>(`with d as (delete from "${t}_dirty" returning bin),
        gone as (delete from "${t}_rollup_days" r using d where d.bin >= r.day_start and d.bin < r.day_end returning r.fingerprint, r.day_start),
        dropped as (delete from "${t}_rollup" r using gone where r.fingerprint = gone.fingerprint and r.day_start = gone.day_start)
      select bin from d`);
    return rows.map((r) => r.bin);
  });
}

/** Step (2): materialises the key's days of the range that are missing; returns how many it materialised. */
export async function materialiseMissingDays(pool: Pool, t: string, key: RollupKey, range: DayRange): Promise<number> {
  const fingerprint = fingerprintOf(key);
  return underRollupLock(pool, t, async (client) => {
    // Only when days are missing: with none, the aggregate would still make the planner scan the facts.
    const { rows: missing } = await client.query<Day>(`insert into "${t}_rollup_days" (fingerprint, day_start, day_end)
      select $3, d at time zone $4, (d + interval '1 day') at time zone $4
      from generate_series($1::timestamptz at time zone $4, $2::timestamptz at time zone $4 - interval '1 day', interval '1 day') d
      on conflict do nothing returning day_start, day_end`, [range.start, range.end, fingerprint, key.zone]);
    for (const run of contiguousRuns(missing)) await insertDayAggregates(client, t, key, fingerprint, run);
    return missing.length;
  });
}

/** The key's days of the range not materialised (read only: what a materialisation of the range would compute). */
export async function missingDays(pool: Pool, t: string, key: RollupKey, range: DayRange): Promise<DayRange[]> {
  const { rows } = await pool.query<Day>(`select d at time zone $3 as day_start, (d + interval '1 day') at time zone $3 as day_end
    from generate_series($1::timestamptz at time zone $3, $2::timestamptz at time zone $3 - interval '1 day', interval '1 day') d
    where not exists (select 1 from "${t}_rollup_days" r where r.fingerprint = $4 and r.day_start = d at time zone $3) order by d`,
  [range.start, range.end, key.zone, fingerprintOf(key)]);
  return rows.map((r) => ({ start: r.day_start, end: r.day_end }));
}

/** The local days (in `zone`) from the first call's to the last call's, both included; undefined without calls. */
export async function factsDayRange(pool: Pool, t: string, zone: string): Promise<DayRange | undefined> {
  // Only min and max: Postgres reads both ends of the queued_at index, not the table.
  const { rows: [r] } = await pool.query<{ start: Date | null; end: Date | null }>(`select date_trunc('day', min(queued_at) at time zone $1) at time zone $1 as start,
    (date_trunc('day', max(queued_at) at time zone $1) + interval '1 day') at time zone $1 as end from "${t}"`, [zone]);
  return r?.start && r.end ? { start: r.start, end: r.end } : undefined;
}

/** Tenants with calls: all of them, or those with a call queued in one of the given 15-minute bins. */
export async function tenantsWithFacts(pool: Pool, t: string, bins?: readonly Date[]): Promise<string[]> {
  const { rows } = bins === undefined
    ? await pool.query<{ tenant: string }>(`select distinct tenant from "${t}" where tenant is not null`)
    : await pool.query<{ tenant: string }>(`select distinct f.tenant from unnest($1::timestamptz[]) b join "${t}" f
        on f.queued_at >= b and f.queued_at < b + interval '15 minutes' where f.tenant is not null`, [bins]);
  return rows.map((r) => r.tenant).sort();
}

interface Day {
  day_start: Date;
  day_end: Date;
}

/** Days that follow each other without a gap, in order: each run is aggregated in one pass. */
export function contiguousRuns<D extends Day>(days: readonly D[]): D[][] {
  const runs: D[][] = [];
  for (const day of [...days].sort((a, b) => a.day_start.getTime() - b.day_start.getTime())) {
    const run = runs[runs.length - 1];
    if (run && run[run.length - 1].day_end.getTime() === day.day_start.getTime()) run.push(day);
    else runs.push([day]);
  }
  return runs;
}

const ROLLUP_COLUMNS: readonly (readonly [string, 'int' | 'float8'])[] = [...INT_SUMS.map((c) => [c, 'int'] as const), ...FLOAT_SUMS.map((c) => [c, 'float8'] as const),
  ['longest_wait', 'float8']];
/** Every column as Postgres prints it: the arrays go back into the insert as they came, no float through a JS number. */
const AS_TEXT: CustomTypesConfig = { getTypeParser: (() => (text: string) => text) as unknown as CustomTypesConfig['getTypeParser'] };

/**
 * One run of consecutive days aggregated by a plain SELECT, then inserted: Postgres 15 plans no parallel workers for
 * `insert … select`, and a month of calls is one parallel scan here. Each call finds its day by `width_bucket` over the
 * run's day boundaries (day i is [bound i, bound i+1), the same membership as comparing with each day's start and
 * end); the join to the numbered days gives the planner the number of groups. The result comes back as one array per
 * column (a few thousand values) and goes into the rollup with one unnest insert.
 */
async function insertDayAggregates(client: PoolClient, t: string, key: RollupKey, fingerprint: string, run: readonly Day[]): Promise<void> {
  const group = GROUP_COLUMN[key.dimension];
  const starts = run.map((d) => d.day_start);
  const bounds = [...starts, run[run.length - 1].day_end];
  const p = key.parameters;
  // Floats printed shortest-exact whatever the server's setting: they are read back as they are printed.
  await client.query('set local extra_float_digits = 3');
  // $3–$7 are the thresholds CALL_AGGREGATE_COLUMNS reads.
  const { rows: [arrays] } = await client.query<Record<string, string | null>>({
    text: `select array_agg(r.day_start) as day_start, array_agg(r.grp) as grp, ${ROLLUP_COLUMNS.map(([c]) => `array_agg(r.${c}) as ${c}`).join(', ')}
      from (select m.day_start, ${group} as grp, ${CALL_AGGREGATE_COLUMNS}
        from unnest($1::timestamptz[]) with ordinality m(day_start, n) join "${t}" f on width_bucket(f.queued_at, $2::timestamptz[]) = m.n
        where f.queued_at >= $9::timestamptz and f.queued_at < $10::timestamptz and ${COUNTED_CALLS} and ${group} is not null
          and ($8::text is null or f.tenant = $8) group by m.day_start, ${group}) r`,
    values: [starts, bounds, p.serviceLevelSeconds, p.shortAbandonSeconds, p.maxRings, p.maxHoldsPerCall, p.maxHoldSeconds, key.tenant ?? null,
      bounds[0], bounds[bounds.length - 1]],
    types: AS_TEXT,
  });
  if (arrays.grp === null) return; // no calls on these days
  await client.query(`insert into "${t}_rollup" (fingerprint, day_start, grp, ${ROLLUP_COLUMNS.map(([c]) => c).join(', ')})
    select $1, * from unnest($2::timestamptz[], $3::text[], ${ROLLUP_COLUMNS.map(([, type], i) => `$${i + 4}::${type}[]`).join(', ')})`,
  [fingerprint, arrays.day_start, arrays.grp, ...ROLLUP_COLUMNS.map(([c]) => arrays[c])]);
}

/** One transaction under the rollup's advisory lock: no reader or materialiser materialises a day another is invalidating. */
async function underRollupLock<T>(pool: Pool, t: string, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    try {
      await client.query('select pg_advisory_xact_lock(hashtext($1))', [`rollup:${t}`]);
      const result = await work(client);
      await client.query('commit');
      return result;
    } catch (e) {
      await client.query('rollback').catch(() => undefined);
      throw e;
    }
  } finally {
    client.release();
  }
}
