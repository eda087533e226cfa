import { InvalidArgumentError } from '@switchboard/domain-errors';
import type { Pool } from 'pg';
import { AGENT_KPIS, ALL_KPIS, CALL_KPIS, computeFigures, KpiFigure, recomputeVersions, RecomputedKpi } from '../../kpis/domain/kpi-catalog';
import { AgentTimeAggregate, CallAggregate, KpiParameters, renderFormula } from '../../kpis/domain/kpi';
import { Bucketing, CallQuery, queryCallAggregates } from '../infrastructure/call-aggregate.query';
import { activeTables, queryAgentTime } from '../infrastructure/agent-time.query';
import { queryPeriodFromRollup } from '../infrastructure/daily-rollup.query';
import { AgentLive, queryAgentsAt, queryAgentsLive, queryQueuesLive, queryWaitingAt, QueueLive } from '../infrastructure/realtime.query';
import { orEmptyWhileBuilding } from '../infrastructure/read-model';

export interface ReportSettings {
  readonly timeZone: string;
  /** Zones of sites that are not in `timeZone`, for team and site reports (RP-A2: periods in the site's zone). */
  readonly siteTimeZones?: Readonly<Record<string, string>>;
  readonly parameters: KpiParameters;
  /** The reporting clock (an agent's open state counts up to it); default the wall clock. */
  readonly now?: () => Date;
}

/** Whose agents an agent report covers: always one tenant (agent ids are only unique within a tenant). */
export interface AgentScope {
  readonly tenant: string;
  readonly agentIds?: readonly string[];
  /** Cut into intervals of this length; undefined = one bucket for the range. */
  readonly intervalSeconds?: number;
}

export interface Range {
  readonly start: Date;
  readonly end: Date;
}

export interface BucketRow {
  readonly key: string;
  readonly bucketStart: Date;
  readonly figures: KpiFigure[];
}

export interface QueueRealtimeView extends QueueLive {
  readonly today: KpiFigure[];
}

const NO_AGENT_TIME: AgentTimeAggregate = { readySeconds: 0, onCallSeconds: 0, wrapUpSeconds: 0, notReadySeconds: {} };

/** Answers every report from the read models, computing figures with the versioned KPI definitions. */
export class ReportReader {
  constructor(private readonly pool: Pool, private readonly settings: ReportSettings) {}

  // `tenant` in every report: only that tenant's calls and agents (a caller's, from their token). Queue and site
  // reports accept undefined = every tenant (tools and tests that read the whole store); agent and team reports
  // require it, since agent ids are only unique within a tenant.

  intervalReport(range: Range, intervalSeconds: number, queueIds?: readonly string[], tenant?: string): Promise<BucketRow[]> {
    return this.queueBuckets(range, { kind: 'interval', seconds: intervalSeconds }, queueIds, undefined, tenant);
  }

  periodReport(range: Range, unit: 'day' | 'week' | 'month', queueIds?: readonly string[], tenant?: string): Promise<BucketRow[]> {
    return this.queueBuckets(range, { kind: 'period', unit }, queueIds, undefined, tenant);
  }

  /**
   * Days, weeks or months per team (the visits its agents answered, by the agent directory) or per site (every
   * visit of calls that came in there), each cut in its site's time zone; keys are team or site ids. Whole local days
   * come from the daily rollup (a team's day: its agents' days), anything else from the facts; same figures.
   */
  async scopedPeriodReport(range: Range, unit: 'day' | 'week' | 'month', scope: 'team' | 'site', of: { tenant: string; ids?: readonly string[] }): Promise<BucketRow[]> {
    const q = { ...this.query(range, { kind: 'period', unit }), groupBy: scope, groups: of.ids, siteTimeZones: this.settings.siteTimeZones, tenant: requireTenant(of.tenant) };
    return this.callRows(q);
  }

  /**
   * Days, weeks or months per answering agent (call KPIs of the visits they answered, days in `timeZone`), from the
   * daily rollup over whole local days. State-time KPIs are per interval or range (`agentReport`).
   */
  async agentPeriodReport(range: Range, unit: 'day' | 'week' | 'month', of: { tenant: string; agentIds?: readonly string[] }): Promise<BucketRow[]> {
    return this.callRows({ ...this.query(range, { kind: 'period', unit }), groupBy: 'agent_id', groups: of.agentIds, tenant: requireTenant(of.tenant) });
  }

  /** Per agent of one tenant: KPIs of the calls they answered plus their state time, over the whole range or per interval. */
  async agentReport(range: Range, of: AgentScope): Promise<BucketRow[]> {
    const tenant = requireTenant(of.tenant);
    const { agentIds, intervalSeconds } = of;
    const bucketing: Bucketing = intervalSeconds ? { kind: 'interval', seconds: intervalSeconds } : { kind: 'range' };
    const [calls, times] = await Promise.all([
      queryCallAggregates(this.pool, { ...this.query(range, bucketing), groupBy: 'agent_id', groups: agentIds, tenant }),
      queryAgentTime(this.pool, { ...range, agentIds, intervalSeconds, timeZone: this.settings.timeZone, now: this.settings.now?.() ?? new Date(), tenant }),
    ]);
    const rows = new Map<string, { key: string; bucketStart: Date; calls?: CallAggregate; time?: AgentTimeAggregate }>();
    const at = (key: string, bucketStart: Date) => {
      const k = `${key}|${bucketStart.toISOString()}`;
      return rows.get(k) ?? rows.set(k, { key, bucketStart }).get(k)!;
    };
    for (const c of calls) at(c.group, c.bucketStart).calls = c.calls;
    for (const t of times) at(t.agentId, t.bucketStart).time = t.time;
    return [...rows.values()].sort(byKeyThenStart).map((r) => ({
      key: r.key, bucketStart: r.bucketStart,
      figures: [
        ...(r.calls ? computeFigures(CALL_KPIS, { calls: r.calls, agents: NO_AGENT_TIME }, this.settings.parameters) : []),
        ...(r.time ? computeFigures(AGENT_KPIS, { calls: EMPTY_CALLS, agents: r.time }, this.settings.parameters) : []),
      ],
    }));
  }

  /**
   * `tenant`: only that tenant's queues, calls and agents (a wallboard caller's tenant); undefined = all. Nothing yet
   * while the read models are first being built, so a live view stays open and shows the lag instead of failing.
   */
  realtime(now: Date, queueIds?: readonly string[], tenant?: string): Promise<{ queues: QueueRealtimeView[]; agents: AgentLive[] }> {
    return orEmptyWhileBuilding(() => this.realtimeFromReadModels(now, queueIds, tenant), { queues: [], agents: [] });
  }

  private async realtimeFromReadModels(now: Date, queueIds?: readonly string[], tenant?: string): Promise<{ queues: QueueRealtimeView[]; agents: AgentLive[] }> {
    const startOfDay = await this.startOfDay(now);
    const [queues, agents, today] = await Promise.all([
      queryQueuesLive(this.pool, now, queueIds, tenant),
      queryAgentsLive(this.pool, now, undefined, tenant),
      this.queueBuckets({ start: startOfDay, end: new Date(now.getTime() + 1) }, { kind: 'range' }, queueIds, undefined, tenant),
    ]);
    const todayByQueue = new Map(today.map((r) => [r.key, r.figures]));
    const ids = [...new Set([...queues.map((q) => q.queueId), ...todayByQueue.keys()])].sort();
    const live = new Map(queues.map((q) => [q.queueId, q]));
    return {
      queues: ids.map((queueId) => ({
        ...(live.get(queueId) ?? { queueId, waitingCalls: 0, longestWaitSeconds: 0, agents: { ready: 0, 'on-call': 0, 'not-ready': 0, 'wrap-up': 0 } }),
        today: todayByQueue.get(queueId) ?? [],
      })),
      agents,
    };
  }

  /**
   * What the real-time view showed at `at`, from event times: calls waiting then, each agent's state then, and the
   * day's figures of the visits that had an outcome by then (handling of calls released by then).
   */
  async realtimeAt(at: Date, queueIds?: readonly string[], tenant?: string): Promise<{ queues: QueueRealtimeView[]; agents: AgentLive[] }> {
    const startOfDay = await this.startOfDay(at);
    const tables = await activeTables(this.pool);
    const [waiting, agents, today] = await Promise.all([
      queryWaitingAt(this.pool, at, queueIds, tenant),
      tables ? queryAgentsAt(this.pool, tables, at, tenant) : Promise.resolve([]),
      this.queueBuckets({ start: startOfDay, end: new Date(at.getTime() + 1) }, { kind: 'range' }, queueIds, at, tenant),
    ]);
    const counts = new Map<string, Record<'ready' | 'on-call' | 'not-ready' | 'wrap-up', number>>();
    for (const a of agents) {
      for (const q of a.queueIds) {
        if (queueIds && !queueIds.includes(q)) continue;
        const c = counts.get(q) ?? counts.set(q, { ready: 0, 'on-call': 0, 'not-ready': 0, 'wrap-up': 0 }).get(q)!;
        if (a.state in c) c[a.state as keyof typeof c]++;
      }
    }
    const todayByQueue = new Map(today.map((r) => [r.key, r.figures]));
    const ids = [...new Set([...waiting.keys(), ...counts.keys(), ...todayByQueue.keys()])].sort();
    return {
      queues: ids.map((queueId) => ({
        queueId, waitingCalls: waiting.get(queueId)?.n ?? 0, longestWaitSeconds: waiting.get(queueId)?.longest ?? 0,
        agents: counts.get(queueId) ?? { ready: 0, 'on-call': 0, 'not-ready': 0, 'wrap-up': 0 }, today: todayByQueue.get(queueId) ?? [],
      })),
      agents: agents.filter((a) => !queueIds || a.queueIds.some((q) => queueIds.includes(q))),
    };
  }

  /**
   * The range's call KPIs per queue (and period) under every definition version of `kpiIds`, side by side, from the
   * same call facts: what changes between versions is the formula, never the data.
   */
  async recompute(range: Range, kpiIds: readonly string[], unit?: 'day' | 'week' | 'month', queueIds?: readonly string[], tenant?: string)
    : Promise<{ key: string; bucketStart: Date; kpis: RecomputedKpi[] }[]> {
    const q = { ...this.query(range, unit ? { kind: 'period', unit } : { kind: 'range' }), groupBy: 'queue_id' as const, groups: queueIds, ...tenantOnly(tenant) };
    const rows = (await queryPeriodFromRollup(this.pool, q)) ?? (await queryCallAggregates(this.pool, q));
    return rows.map((r) => ({
      key: r.group, bucketStart: r.bucketStart,
      kpis: recomputeVersions(kpiIds, { calls: r.calls, agents: NO_AGENT_TIME }, this.settings.parameters),
    }));
  }

  definitions() {
    return ALL_KPIS.map((k) => ({ kpiId: k.id, version: k.version, name: k.name, unit: k.unit,
      definition: `${renderFormula(k, this.settings.parameters)} Source: ${k.source}.`, inputs: k.inputs }));
  }

  private async startOfDay(now: Date): Promise<Date> {
    const { rows } = await this.pool.query<{ d: Date }>(`select date_trunc('day', $1::timestamptz at time zone $2) at time zone $2 as d`, [now, this.settings.timeZone]);
    return rows[0].d;
  }

  private queueBuckets(range: Range, bucketing: Bucketing, queueIds?: readonly string[], asOf?: Date, tenant?: string): Promise<BucketRow[]> {
    return this.callRows({ ...this.query(range, bucketing), groupBy: 'queue_id' as const, groups: queueIds, ...(asOf ? { asOf } : {}), ...tenantOnly(tenant) });
  }

  /** Call KPIs per group and bucket: day/week/month over whole local days from the daily rollup (same figures), anything else from the facts. */
  private async callRows(q: CallQuery): Promise<BucketRow[]> {
    const rows = (await queryPeriodFromRollup(this.pool, q)) ?? (await queryCallAggregates(this.pool, q));
    return rows.map((r) => ({
      key: r.group, bucketStart: r.bucketStart,
      figures: computeFigures(CALL_KPIS, { calls: r.calls, agents: NO_AGENT_TIME }, this.settings.parameters),
    }));
  }

  private query(range: Range, bucketing: Bucketing) {
    return { ...range, bucketing, timeZone: this.settings.timeZone, parameters: this.settings.parameters };
  }
}

const tenantOnly = (tenant: string | undefined) => (tenant === undefined ? {} : { tenant });

/** Agent ids are only unique within a tenant: agent and team reports are always one tenant's. */
function requireTenant(tenant: string): string {
  if (typeof tenant !== 'string' || tenant === '') {
    throw new InvalidArgumentError('REPORTING.TENANT_REQUIRED', 'tenant: required for agent and team reports', [{ field: 'tenant', description: 'the tenant whose agents to report' }]);
  }
  return tenant;
}

const byKeyThenStart = (a: { key: string; bucketStart: Date }, b: { key: string; bucketStart: Date }) =>
  a.key.localeCompare(b.key) || a.bucketStart.getTime() - b.bucketStart.getTime();

const EMPTY_CALLS: CallAggregate = {
  offered: 0, answered: 0, abandoned: 0, timedOut: 0, shortAbandoned: 0, answeredWithin: 0, abandonedWithin: 0, timedOutWithin: 0, answeredWaitSeconds: 0,
  longestWaitSeconds: 0, talkSeconds: 0, holdSeconds: 0, acwSeconds: 0, transfers: 0, ringViolations: 0, holdViolations: 0,
  agentReleasedFirst: 0, agentReleasedAtTransfer: 0, repeat24h: 0, followedUp72h: 0,
};

