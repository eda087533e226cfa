import { Controller, Inject } from '@nestjs/common';
import type { Metadata } from '@grpc/grpc-js';
import {
  ExportCsvRequest, ExportCsvResponse, GetAgentReportRequest, GetIntervalReportRequest, GetPeriodReportRequest,
  GetRealtimeSnapshotAtRequest, GetRealtimeSnapshotRequest, Period, RecomputeKpisRequest, ReportingServiceControllerMethods, ReportKind, ReportScope,
  WatchRealtimeRequest, WatchRealtimeResponse, type GetRealtimeSnapshotAtResponse, type GetRealtimeSnapshotResponse, type RecomputeKpisResponse,
} from '@switchboard/contracts/src/generated/switchboard/reporting/v1/reporting_service';
import { InvalidArgumentError } from '@switchboard/domain-errors';
import { canSeeAgent, canSeeSite, canSeeTeam, principalOf, Principal, Roles, TeamRef } from '@switchboard/service-kit';
import { Observable } from 'rxjs';
import { CALL_KPIS, versionedKpiIds } from '../kpis/domain/kpi-catalog';
import type { BucketRow, QueueRealtimeView, ReportReader } from '../reports/application/report-reader';
import { chunkLines, toCsvLines } from './csv';
import { instantOf, intervalSecondsOf, nonEmpty, periodUnitOf, rangeOf, scopeOf, toKpiValues, toTimestamp } from './reporting-grpc.mappers';
import { watchSnapshots } from './realtime.stream';

export const REPORTING_DEPS = Symbol('REPORTING_DEPS');

export interface ReportingDeps {
  readonly reader: ReportReader;
  /** Team of an agent, from the org directory; undefined = no team known. */
  teamOf(tenant: string, agentIds: readonly string[]): Promise<Map<string, TeamRef>>;
  /** Site of each team, from the org directory; undefined = team unknown. */
  teamRefs(tenant: string, teamIds: readonly string[]): Promise<Map<string, TeamRef>>;
  /** Records the projections have not applied yet. */
  lag(): Promise<number>;
  /** The reporting clock: the data's time (docs/adr/0008-reporting-clock.md). */
  now(): Date;
  /** Event-time seconds per wall second of that clock (1 for a live feed); default 1. */
  clockRate?(): number;
  watchIntervalMs?: number;
}

const FLOOR = ['team_leader', 'supervisor', 'manager', 'director', 'integrator'] as const;

@Controller()
@ReportingServiceControllerMethods()
export class ReportingGrpcController {
  constructor(@Inject(REPORTING_DEPS) private readonly deps: ReportingDeps) {}

  /** Queues of the caller's tenant only (the token's `tenant` claim), as on the wallboard. */
  @Roles(...FLOOR)
  async getRealtimeSnapshot(req: GetRealtimeSnapshotRequest, md: Metadata): Promise<GetRealtimeSnapshotResponse> {
    return this.realtimeSnapshotFor(principalOf(md).tenant, req);
  }

  @Roles(...FLOOR)
  watchRealtime(req: WatchRealtimeRequest, md: Metadata): Observable<WatchRealtimeResponse> {
    return this.watchRealtimeFor(principalOf(md).tenant, req);
  }

  /** The snapshot for a caller of `tenant` (gRPC reads it from the metadata, Connect from its own auth). */
  async realtimeSnapshotFor(tenant: string, req: GetRealtimeSnapshotRequest): Promise<GetRealtimeSnapshotResponse> {
    return { snapshot: await this.snapshot(nonEmpty(req.queueIds), tenant) };
  }

  watchRealtimeFor(tenant: string, req: WatchRealtimeRequest): Observable<WatchRealtimeResponse> {
    return watchSnapshots(() => this.snapshot(nonEmpty(req.queueIds), tenant), this.deps.watchIntervalMs ?? 1000);
  }

  /** The caller's tenant's calls only (the token's `tenant` claim), as on the wallboard's chart. */
  @Roles(...FLOOR)
  getIntervalReport(req: GetIntervalReportRequest, md: Metadata) {
    return this.intervalReportFor(principalOf(md).tenant, req);
  }

  /** One tenant's calls (gRPC reads the tenant from the metadata, Connect from its own auth). */
  async intervalReportFor(tenant: string, req: GetIntervalReportRequest) {
    const rows = await this.deps.reader.intervalReport(rangeOf(req.range), intervalSecondsOf(req.intervalSeconds), nonEmpty(req.queueIds), tenant);
    return { rows: rows.map((r) => ({ queueId: r.key, intervalStart: toTimestamp(r.bucketStart), kpis: toKpiValues(r.figures) })) };
  }

  /** The caller's tenant's calls only, per queue, team, site or agent (a team leader: their team's agents). */
  @Roles(...FLOOR)
  async getPeriodReport(req: GetPeriodReportRequest, md: Metadata) {
    const me = principalOf(md);
    const tenant = me.tenant;
    const scope = scopeOf(req.scope);
    if (scope === 'queue') {
      const rows = await this.deps.reader.periodReport(rangeOf(req.range), periodUnitOf(req.period), nonEmpty(req.queueIds), tenant);
      return { rows: rows.map((r) => ({ queueId: r.key, scopeId: r.key, scope: ReportScope.REPORT_SCOPE_QUEUE, periodStart: toTimestamp(r.bucketStart), kpis: toKpiValues(r.figures) })) };
    }
    if (nonEmpty(req.queueIds)) {
      throw new InvalidArgumentError('REPORTING.QUEUES_WITH_SCOPE', 'queue_ids only apply to the queue scope; use scope_ids for teams and sites',
        [{ field: 'queue_ids', description: 'empty unless scope is REPORT_SCOPE_QUEUE' }]);
    }
    if (scope === 'agent') {
      const rows = await this.deps.reader.agentPeriodReport(rangeOf(req.range), periodUnitOf(req.period), { tenant, agentIds: nonEmpty(req.scopeIds) })
      const teams = await this.deps.teamOf(tenant, [...new Set(rows.map((r) => r.key))]);
      return { rows: rows.filter((r) => canSeeAgent(me, r.key, teams.get(r.key)))
        .map((r) => ({ queueId: '', scopeId: r.key, scope: ReportScope.REPORT_SCOPE_AGENT, periodStart: toTimestamp(r.bucketStart), kpis: toKpiValues(r.figures) })) };
    }
    const rows = await this.deps.reader.scopedPeriodReport(rangeOf(req.range), periodUnitOf(req.period), scope, { tenant, ids: nonEmpty(req.scopeIds) });
    const wire = scope === 'team' ? ReportScope.REPORT_SCOPE_TEAM : ReportScope.REPORT_SCOPE_SITE;
    const teams = scope === 'team' ? await this.deps.teamRefs(tenant, [...new Set(rows.map((r) => r.key))]) : new Map<string, TeamRef>();
    // A site-wide role sees its sites and their teams, a team leader their teams; a team missing from the directory
    // has no site, so of the site-wide roles none sees it.
    const visible = (key: string) => (scope === 'site' ? canSeeSite(me, { tenant, siteId: key })
      : canSeeTeam(me, teams.get(key) ?? { tenant, siteId: '', teamId: key }));
    return { rows: rows.filter((r) => visible(r.key)).map((r) => ({ queueId: '', scopeId: r.key, scope: wire, periodStart: toTimestamp(r.bucketStart), kpis: toKpiValues(r.figures) })) };
  }

  /** Any role; each caller gets only the agents of their tenant they may see (an agent: themself; a team leader: their team). */
  async getAgentReport(req: GetAgentReportRequest, md: Metadata) {
    const rows = await this.visibleAgentRows(principalOf(md), req.agentIds, rangeOf(req.range));
    return { rows: rows.map((r) => ({ agentId: r.key, kpis: toKpiValues(r.figures) })) };
  }

  /** Every definition version of the KPIs side by side over the range, per queue (and period), of the caller's tenant. */
  @Roles(...FLOOR)
  async recomputeKpis(req: RecomputeKpisRequest, md: Metadata): Promise<RecomputeKpisResponse> {
    const range = rangeOf(req.range);
    const unit = req.period === Period.PERIOD_UNSPECIFIED || !req.period ? undefined : periodUnitOf(req.period);
    const ids = nonEmpty(req.kpiIds) ?? versionedKpiIds();
    const unknown = ids.filter((id) => !CALL_KPIS.some((k) => k.id === id));
    if (unknown.length) {
      throw new InvalidArgumentError('REPORTING.UNKNOWN_KPI', `kpi_ids: not a call KPI id: ${unknown.join(', ')}`,
        [{ field: 'kpi_ids', description: `call KPI ids, e.g. ${versionedKpiIds().join(', ')}` }]);
    }
    const rows = await this.deps.reader.recompute(range, ids, unit, nonEmpty(req.queueIds), principalOf(md).tenant);
    return {
      rows: rows.map((r) => ({
        queueId: r.key, bucketStart: toTimestamp(r.bucketStart),
        kpis: r.kpis.map((k) => ({ kpiId: k.kpiId, unit: k.unit,
          versions: k.versions.map((v) => ({ definitionVersion: v.version, definition: v.formula, ...(v.value === null ? {} : { value: v.value }) })) })),
      })),
    };
  }

  /** What the real-time view showed at `as_of`, from event times. */
  @Roles(...FLOOR)
  async getRealtimeSnapshotAt(req: GetRealtimeSnapshotAtRequest, md: Metadata): Promise<GetRealtimeSnapshotAtResponse> {
    const at = instantOf(req.asOf, 'as_of');
    const live = await this.deps.reader.realtimeAt(at, nonEmpty(req.queueIds), principalOf(md).tenant);
    return { snapshot: { asOf: toTimestamp(at), lagEvents: String(await this.deps.lag()), queues: live.queues.map(toQueueRealtime) } };
  }

  listKpiDefinitions() {
    return { definitions: this.deps.reader.definitions().map(({ inputs: _inputs, ...d }) => d) };
  }

  /** The caller's tenant's rows only, as the report of the same kind. */
  exportCsv(req: ExportCsvRequest, md: Metadata): Observable<ExportCsvResponse> {
    const me = principalOf(md);
    return new Observable<ExportCsvResponse>((sub) => {
      this.csvChunks(req, me).then((chunks) => {
        chunks.forEach((chunk) => sub.next({ chunk }));
        sub.complete();
      }, (e: unknown) => sub.error(e));
    });
  }

  private async csvChunks(req: ExportCsvRequest, me: Principal): Promise<Buffer[]> {
    const range = rangeOf(req.range);
    const floor = me.roles.some((r) => (FLOOR as readonly string[]).includes(r));
    switch (req.kind) {
      case ReportKind.REPORT_KIND_AGENT:
        return chunkLines(toCsvLines('agent_id', await this.visibleAgentRows(me, req.agentIds, range)));
      case ReportKind.REPORT_KIND_INTERVAL:
        if (!floor) throw new InvalidArgumentError('REPORTING.KIND_NOT_ALLOWED', 'queue reports need a floor role', []);
        return chunkLines(toCsvLines('queue_id', await this.deps.reader.intervalReport(range, intervalSecondsOf(req.intervalSeconds), nonEmpty(req.queueIds), me.tenant)));
      case ReportKind.REPORT_KIND_PERIOD:
        if (!floor) throw new InvalidArgumentError('REPORTING.KIND_NOT_ALLOWED', 'queue reports need a floor role', []);
        return chunkLines(toCsvLines('queue_id', await this.deps.reader.periodReport(range, periodUnitOf(req.period), nonEmpty(req.queueIds), me.tenant)));
      default:
        throw new InvalidArgumentError('REPORTING.INVALID_KIND', 'kind must be interval, agent or period', [{ field: 'kind', description: 'a REPORT_KIND value' }]);
    }
  }

  private async visibleAgentRows(me: Principal, agentIds: readonly string[], range: { start: Date; end: Date }): Promise<BucketRow[]> {
    const rows = await this.deps.reader.agentReport(range, { tenant: me.tenant, agentIds: nonEmpty(agentIds) });
    const teams = await this.deps.teamOf(me.tenant, [...new Set(rows.map((r) => r.key))]);
    return rows.filter((r) => canSeeAgent(me, r.key, teams.get(r.key)));
  }

  private async snapshot(queueIds: readonly string[] | undefined, tenant: string) {
    const now = this.deps.now();
    const [live, lag] = await Promise.all([this.deps.reader.realtime(now, queueIds, tenant), this.deps.lag()]);
    return { asOf: toTimestamp(now), lagEvents: String(lag), queues: live.queues.map(toQueueRealtime) };
  }
}

const toQueueRealtime = (q: QueueRealtimeView) => ({
  queueId: q.queueId, waitingCalls: q.waitingCalls, longestWaitSeconds: q.longestWaitSeconds, agentsReady: q.agents.ready,
  agentsOnCall: q.agents['on-call'], agentsNotReady: q.agents['not-ready'], agentsWrapUp: q.agents['wrap-up'], today: toKpiValues(q.today),
});
