import type { Pool } from 'pg';
import type { CallAggregate, KpiParameters } from '../../kpis/domain/kpi';

/** How calls are bucketed: by interval length, by calendar period in the site's zone, or the whole range. */
export type Bucketing =
  | { readonly kind: 'interval'; readonly seconds: number }
  | { readonly kind: 'period'; readonly unit: 'day' | 'week' | 'month' }
  | { readonly kind: 'range' };

export interface CallQuery {
  readonly start: Date;
  readonly end: Date;
  /**
   * `queue_id`, `agent_id` (the answering agent), `team` (the answering agent's team in the agent directory, cut in
   * its site's zone) or `site` (the call's PBX site, cut in that site's zone).
   */
  readonly groupBy: 'queue_id' | 'agent_id' | 'team' | 'site';
  /** Time zone per site id, for `team` and `site` groups; a site not listed uses `timeZone`. */
  readonly siteTimeZones?: Readonly<Record<string, string>>;
  /** Only these groups; undefined = all. */
  readonly groups?: readonly string[];
  readonly bucketing: Bucketing;
  readonly timeZone: string;
  readonly parameters: KpiParameters;
  /** Only what had happened by this instant (event times): outcomes, talk, hold and wrap-up of calls released by then. */
  readonly asOf?: Date;
  /** Only this tenant's calls; undefined = every tenant. */
  readonly tenant?: string;
}

export interface CallAggregateRow {
  readonly group: string;
  readonly bucketStart: Date;
  readonly calls: CallAggregate;
}

// $1 start, $2 end, $3 SL s, $4 short s, $5 max rings, $6 max holds, $7 max hold s, $8 groups, $9 zone, $10 bucket,
// team and site groups: $11 site ids, $12 their zones
function bucketExpression(b: Bucketing, zone: string): string {
  switch (b.kind) {
    case 'interval': return `date_bin(make_interval(secs => $10::int), queued_at, timestamp '2000-01-01' at time zone ${zone})`;
    case 'period': return `date_trunc($10, queued_at at time zone ${zone}) at time zone ${zone}`;
    case 'range': return `$1::timestamptz`;
  }
}

/** The grouping column and the rows it needs: teams through the agent directory, each group in its site's zone. */
function grouping(q: CallQuery): { group: string; from: (facts: string) => string; zone: string } {
  const zoneOf = (site: string) => `coalesce((select z.zone from unnest($11::text[], $12::text[]) z(site, zone) where z.site = ${site}), $9)`;
  switch (q.groupBy) {
    case 'team': return { group: 'd.team_id', zone: zoneOf('d.site_id'),
      from: (facts) => `${facts} join reporting_agent_teams d on d.tenant = call_facts.tenant and d.agent_id = call_facts.agent_id` };
    case 'site': return { group: 'call_facts.site', zone: zoneOf('call_facts.site'), from: (facts) => facts };
    default: return { group: q.groupBy, zone: '$9', from: (facts) => facts };
  }
}

const ANSWERED = 'answered_at is not null';
// One outcome per visit: an answer wins; a timeout wins over an abandon (the more specific fact: Asterisk reports a
// queue timeout as an abandon first, and only what follows tells them apart).
const TIMED_OUT = 'answered_at is null and timed_out_at is not null';
const ABANDONED = 'answered_at is null and timed_out_at is null and abandoned_at is not null';

/** The aggregate columns over call facts (`$3`–`$7` thresholds), shared with the daily rollup so both count alike. */
export const CALL_AGGREGATE_COLUMNS = `count(*)::int as offered,
    count(*) filter (where ${ANSWERED})::int as answered,
    count(*) filter (where ${ABANDONED})::int as abandoned,
    count(*) filter (where ${ABANDONED} and wait_s < $4)::int as short_abandoned,
    count(*) filter (where ${ANSWERED} and wait_s <= $3)::int as answered_within,
    count(*) filter (where ${ABANDONED} and wait_s <= $3)::int as abandoned_within,
    count(*) filter (where ${TIMED_OUT})::int as timed_out,
    count(*) filter (where ${TIMED_OUT} and wait_s <= $3)::int as timed_out_within,
    coalesce(sum(wait_s) filter (where ${ANSWERED}), 0)::float8 as answered_wait,
    coalesce(max(wait_s), 0)::float8 as longest_wait,
    coalesce(sum(talk_s) filter (where ${ANSWERED}), 0)::float8 as talk,
    coalesce(sum(hold_s) filter (where ${ANSWERED}), 0)::float8 as hold,
    coalesce(sum(acw_s) filter (where ${ANSWERED}), 0)::float8 as acw,
    coalesce(sum(transfer_last - transfer_first + 1) filter (where ${ANSWERED}), 0)::int as transfers,
    count(*) filter (where ${ANSWERED} and ring_count > $5)::int as ring_violations,
    count(*) filter (where ${ANSWERED} and (hold_count > $6 or longest_hold_s > $7))::int as hold_violations,
    count(*) filter (where ${ANSWERED} and released_by = 'agent' and transfer_first is null)::int as released_first,
    count(*) filter (where repeat_24h)::int as repeat_24h,
    count(*) filter (where ${ANSWERED} and followed_up_72h)::int as followed_up_72h,
    count(*) filter (where ${ANSWERED} and released_by = 'agent' and transfer_first is not null)::int as released_at_transfer`;

/** Queue visits that count: removed from the queue (answered, abandoned or timed out). */
export const COUNTED_CALLS = '(answered_at is not null or abandoned_at is not null or timed_out_at is not null)';

/**
 * The call facts as they stood at `asOf`, from their own event times: an outcome counts once it happened, handling
 * once the visit was released (ACW with it: the wrap-up's own time is not kept), a follow-up call not yet.
 */
function callFactsAsOf(asOf: Date): string {
  const t = `'${asOf.toISOString()}'::timestamptz`;
  const released = `released_at <= ${t}`;
  return `(select call_id, queue_visit, tenant, site, queue_id, queued_at, agent_id, wait_s, ring_count, transfer_first, transfer_last, repeat_24h,
    case when answered_at <= ${t} then answered_at end as answered_at, case when abandoned_at <= ${t} then abandoned_at end as abandoned_at,
    case when timed_out_at <= ${t} then timed_out_at end as timed_out_at,
    case when ${released} then talk_s else 0 end as talk_s, case when ${released} then hold_s else 0 end as hold_s,
    case when ${released} then hold_count else 0 end as hold_count, case when ${released} then longest_hold_s else 0 end as longest_hold_s,
    case when ${released} then acw_s else 0 end as acw_s, case when ${released} then released_by end as released_by,
    false as followed_up_72h
    from call_facts where queued_at <= ${t}) call_facts`;
}

/** One pass over the call facts of the range: the SQL twin of the domain's `aggregateCalls`. */
/** `tenantParam`: the parameter number holding `q.tenant`, when set. */
export function callAggregateSql(q: CallQuery, tenantParam?: number): string {
  const g = grouping(q);
  return `select ${g.group} as grp, ${bucketExpression(q.bucketing, g.zone)} as bucket,
    ${CALL_AGGREGATE_COLUMNS}
  from ${g.from(q.asOf ? callFactsAsOf(q.asOf) : 'call_facts')}
  where queued_at >= $1 and queued_at < $2 and ${COUNTED_CALLS}
    and ${g.group} is not null and ($8::text[] is null or ${g.group} = any($8))${tenantParam ? ` and call_facts.tenant = $${tenantParam}` : ''}
  group by 1, 2 order by 1, 2`;
}

export type Row = Record<string, number> & { grp: string; bucket: Date };

export const toAggregate = (r: Row): CallAggregate => ({
  offered: r.offered, answered: r.answered, abandoned: r.abandoned, shortAbandoned: r.short_abandoned,
  answeredWithin: r.answered_within, abandonedWithin: r.abandoned_within, timedOut: r.timed_out, timedOutWithin: r.timed_out_within,
  answeredWaitSeconds: r.answered_wait,
  longestWaitSeconds: r.longest_wait, talkSeconds: r.talk, holdSeconds: r.hold, acwSeconds: r.acw, transfers: r.transfers,
  ringViolations: r.ring_violations, holdViolations: r.hold_violations, agentReleasedFirst: r.released_first, agentReleasedAtTransfer: r.released_at_transfer,
  repeat24h: r.repeat_24h, followedUp72h: r.followed_up_72h,
});

export async function queryCallAggregates(pool: Pool, q: CallQuery): Promise<CallAggregateRow[]> {
  const p = q.parameters;
  const bucketParam = q.bucketing.kind === 'interval' ? q.bucketing.seconds : q.bucketing.kind === 'period' ? q.bucketing.unit : null;
  const values = [q.start, q.end, p.serviceLevelSeconds, p.shortAbandonSeconds, p.maxRings, p.maxHoldsPerCall, p.maxHoldSeconds,
    q.groups ?? null, q.timeZone, bucketParam];
  const zones = Object.entries(q.siteTimeZones ?? {});
  // A whole-range bucket references neither the zone nor a bucket size, and Postgres rejects untyped unused parameters.
  const params: unknown[] = q.bucketing.kind === 'range' ? values.slice(0, 8)
    : q.groupBy === 'team' || q.groupBy === 'site' ? [...values, zones.map(([site]) => site), zones.map(([, zone]) => zone)] : values;
  const tenantParam = q.tenant === undefined ? undefined : params.push(q.tenant);
  const { rows } = await pool.query<Row>(callAggregateSql(q, tenantParam), params);
  return rows.map((r) => ({ group: r.grp, bucketStart: r.bucket, calls: toAggregate(r) }));
}
