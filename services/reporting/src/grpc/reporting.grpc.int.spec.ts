// The ReportingService over real gRPC: projections fed from Kafka, a Nest gRPC server with token auth, a plain
// @grpc/grpc-js client. Roles: agents see only themselves, team leaders their team, floor roles everything.
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { encode, grpcOptionsFor, PROTO_ROOT, type AnyEvent } from '@switchboard/contracts';
import { createIdempotentProducer, deadLetterTopic, migrateEventStore } from '@switchboard/eventsourcing';
import { createLogger, grpcLoaderOptions, mintDevToken, Role, RunningGrpcService, startGrpcService } from '@switchboard/service-kit';
import { createTopics, freshDatabase, testKafka, uniqueName } from '@switchboard/testing';
import type { Producer } from 'kafkajs';
import { Pool } from 'pg';
import { DEFAULT_KPI_PARAMETERS } from '../kpis/domain/kpi';
import { ProjectionHost, startProjections } from '../projections/projection-host';
import { ReportReader } from '../reports/application/report-reader';
import { migrateAgentDirectory, teamRefsOf, teamsOf } from '../reports/infrastructure/agent-directory';
import { reportingModule } from '../reporting.module';
import { callDay } from '../test-support/call-day.fixture';

const SECRET = 'reporting-integration-secret-of-32-bytes!';
type Res = Record<string, unknown> & { rows?: { agentId?: string; queueId?: string; scope?: string; scopeId?: string; kpis: { kpiId: string; value: number }[] }[] };
type Client = grpc.Client & Record<string, (req: object, md: grpc.Metadata, cb?: (e: grpc.ServiceError | null, r?: Res) => void) => grpc.ClientReadableStream<Res>>;

describe('ReportingService over gRPC', () => {
  const day = callDay();
  const topics = { call: [uniqueName('it-rgrpc-call')], agent: [uniqueName('it-rgrpc-agent')] };
  let producer: Producer;
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let pool: Pool;
  let host: ProjectionHost;
  let server: RunningGrpcService;
  let client: Client;
  const range = { start: { seconds: String(day.at('09:00:00').getTime() / 1000), nanos: 0 }, end: { seconds: String(day.at('10:00:00').getTime() / 1000), nanos: 0 } };

  beforeAll(async () => {
    const kafka = testKafka();
    producer = createIdempotentProducer(kafka);
    await producer.connect();
    const admin = kafka.admin();
    await admin.connect();
    const all = [...topics.call, ...topics.agent];
    await createTopics(admin, [...all, ...all.map(deadLetterTopic)], 2);
    await admin.disconnect();
    db = await freshDatabase();
    pool = new Pool({ connectionString: db.url, max: 4 });
    await migrateEventStore(pool);
    await migrateAgentDirectory(pool);
    await pool.query(`insert into reporting_agent_teams values ('acme', 'E1', 'nanchang', 'team-a'), ('acme', 'E2', 'nanchang', 'team-b')`);
    const publish = (topic: string, events: AnyEvent[]) => producer.send({ topic, acks: -1, messages: events.map((e) => ({ key: e.subject, value: encode(e) })) });
    await publish(topics.call[0], [...day.first, ...day.late]);
    await publish(topics.agent[0], day.agentEvents);
    host = await startProjections({ kafka, pool, deadLetterProducer: producer, topics, chunkSize: 50, logger: { info: () => undefined } });
    await host.whenActive();
    const reader = new ReportReader(pool, { timeZone: 'Asia/Shanghai', parameters: DEFAULT_KPI_PARAMETERS });
    const { package: pkg, protoPath } = grpcOptionsFor('reporting');
    server = await startGrpcService({
      module: reportingModule({ reader, teamOf: (t, ids) => teamsOf(pool, t, ids), teamRefs: (t, ids) => teamRefsOf(pool, t, ids), lag: async () => 0, now: () => day.at('09:46:00'), watchIntervalMs: 100 }),
      host: '127.0.0.1', port: 0, logger: createLogger('reporting-it', 'warn'), auth: { key: { kind: 'hs256', secret: SECRET } },
      protos: [{ package: pkg, protoPath, includeDirs: [PROTO_ROOT] }],
    });
    const def = protoLoader.loadSync(protoPath, { ...grpcLoaderOptions, includeDirs: [PROTO_ROOT] });
    const Service = (grpc.loadPackageDefinition(def) as unknown as { switchboard: { reporting: { v1: { ReportingService: new (a: string, c: grpc.ChannelCredentials) => Client } } } }).switchboard.reporting.v1.ReportingService;
    client = new Service(server.url, grpc.credentials.createInsecure());
  }, 90_000);

  afterAll(async () => {
    client?.close();
    await server?.close();
    await host?.stop();
    await producer?.disconnect();
    await pool?.end();
    await db?.drop();
  });

  const as = async (roles: Role[], extra: { agentId?: string; teamIds?: string[]; siteIds?: string[]; tenant?: string } = {}) => {
    const md = new grpc.Metadata();
    md.set('authorization', `Bearer ${await mintDevToken({ secret: SECRET, subject: 'u', roles, tenant: 'acme', ...extra })}`);
    return md;
  };
  const unary = (method: string, req: object, md: grpc.Metadata) => new Promise<{ error: grpc.ServiceError | null; res?: Res }>((resolve) =>
    client[method](req, md, (error, res) => resolve({ error, res })));
  const kpi = (row: { kpis: { kpiId: string; value: number }[] } | undefined, id: string) => row?.kpis.find((k) => k.kpiId === id)?.value;

  it('should give a supervisor the interval report with versioned KPIs', async () => {
    const { error, res } = await unary('getIntervalReport', { queueIds: [], range, intervalSeconds: 1800 }, await as(['supervisor']));
    expect(error).toBeNull();
    expect(res!.rows!.map((r) => kpi(r, 'offered'))).toEqual([3, 2]);
    expect(res!.rows![0].kpis.find((k) => k.kpiId === 'aht')).toEqual({ kpiId: 'aht', value: 210, unit: 'seconds', definitionVersion: 1 });
  });

  it("should give another tenant's supervisor none of this tenant's calls in the interval report", async () => {
    const own = await unary('getIntervalReport', { queueIds: [], range, intervalSeconds: 1800 }, await as(['supervisor']));
    expect(own.res?.rows?.length).toBeGreaterThan(0);
    const other = await unary('getIntervalReport', { queueIds: [], range, intervalSeconds: 1800 }, await as(['supervisor'], { tenant: 'globex' }));
    expect(other.error).toBeNull();
    expect(other.res?.rows ?? []).toEqual([]);
  });

  const wholeDay = () => ({ start: { seconds: String(day.at('00:00:00').getTime() / 1000) }, end: { seconds: String(day.at('00:00:00').getTime() / 1000 + 86400) } });
  const globex = (roles: Role[], extra: { agentId?: string } = {}) => as(roles, { tenant: 'globex', ...extra });
  const csvLines = async (req: object, md: grpc.Metadata) => {
    const stream = client.exportCsv(req, md);
    const chunks: Buffer[] = [];
    await new Promise<void>((resolve, reject) => stream.on('data', (r: Res) => chunks.push(r.chunk as Buffer)).on('end', resolve).on('error', reject));
    return Buffer.concat(chunks).toString('utf8').trim().split('\r\n');
  };

  it("should give another tenant's manager none of this tenant's calls in the period report, per queue, team or site", async () => {
    const report = async (md: grpc.Metadata, scope?: string) =>
      (await unary('getPeriodReport', { period: 'PERIOD_DAY', range: wholeDay(), ...(scope ? { scope } : {}) }, md)).res?.rows ?? [];
    // Whole local days come from the daily rollup: each tenant's days are materialised apart, in either order.
    expect(await report(await globex(['manager']))).toEqual([]);
    expect((await report(await as(['manager']))).map((r) => [r.queueId, kpi(r, 'answered')])).toEqual([['billing', 3]]);
    expect(await report(await globex(['manager']))).toEqual([]);
    expect(await report(await globex(['manager']), 'REPORT_SCOPE_TEAM')).toEqual([]);
    expect(await report(await globex(['manager']), 'REPORT_SCOPE_SITE')).toEqual([]);
  });

  it("should recompute none of this tenant's calls for another tenant's manager", async () => {
    expect((await unary('recomputeKpis', { range, kpiIds: [] }, await as(['manager']))).res?.rows).toHaveLength(1);
    const other = await unary('recomputeKpis', { range, kpiIds: [] }, await globex(['manager']));
    expect(other.error).toBeNull();
    expect(other.res?.rows ?? []).toEqual([]);
    expect((await unary('recomputeKpis', { range: wholeDay(), kpiIds: [], period: 'PERIOD_DAY' }, await globex(['manager']))).res?.rows ?? []).toEqual([]);
  });

  it("should export only the header of each report kind to another tenant's director", async () => {
    const interval = { kind: 'REPORT_KIND_INTERVAL', range, intervalSeconds: 1800 };
    const period = { kind: 'REPORT_KIND_PERIOD', range: wholeDay(), period: 'PERIOD_DAY' };
    const agent = { kind: 'REPORT_KIND_AGENT', range };
    const keys = (lines: string[]) => lines.map((l) => l.split(',')[0]);
    expect(keys(await csvLines(interval, await as(['director'])))).toEqual(['queue_id', 'billing', 'billing']);
    expect(keys(await csvLines(period, await as(['director'])))).toEqual(['queue_id', 'billing']);
    expect(keys(await csvLines(agent, await as(['director'])))).toEqual(['agent_id', 'E1', 'E2']);
    expect(await csvLines(interval, await globex(['director']))).toEqual(['queue_id,bucket_start']);
    expect(await csvLines(period, await globex(['director']))).toEqual(['queue_id,bucket_start']);
    expect(await csvLines(agent, await globex(['director']))).toEqual(['agent_id,bucket_start']);
  });

  it("should give another tenant's director, or an agent there with the same id, none of this tenant's agents", async () => {
    const ids = async (md: grpc.Metadata) => (await unary('getAgentReport', { agentIds: [], range }, md)).res!.rows!.map((r) => r.agentId);
    expect(await ids(await globex(['director']))).toEqual([]);
    expect(await ids(await globex(['agent'], { agentId: 'E1' }))).toEqual([]);
  });

  it('should refuse queue reports to an agent and scope agent reports by role', async () => {
    expect((await unary('getIntervalReport', { range, intervalSeconds: 1800 }, await as(['agent'], { agentId: 'E1' }))).error?.code).toBe(grpc.status.PERMISSION_DENIED);
    const ids = async (md: grpc.Metadata) => (await unary('getAgentReport', { agentIds: [], range }, md)).res!.rows!.map((r) => r.agentId);
    expect(await ids(await as(['agent'], { agentId: 'E2' }))).toEqual(['E2']);
    expect(await ids(await as(['team_leader'], { teamIds: ['team-a'] }))).toEqual(['E1']);
    expect(await ids(await as(['director']))).toEqual(['E1', 'E2']);
  });

  it('should answer the period report and the KPI definitions', async () => {
    const day0 = { start: { seconds: String(day.at('00:00:00').getTime() / 1000) }, end: { seconds: String(day.at('00:00:00').getTime() / 1000 + 86400) } };
    const { res } = await unary('getPeriodReport', { period: 'PERIOD_DAY', range: day0 }, await as(['manager']));
    expect(kpi(res!.rows![0], 'answered')).toBe(3);
    const defs = (await unary('listKpiDefinitions', {}, await as(['agent'], { agentId: 'E1' }))).res!.definitions as { kpiId: string; definition: string }[];
    expect(defs.find((d) => d.kpiId === 'service_level_connect')!.definition).toContain('within 20 s');
  });

  it('should answer the period report per team and per site with the scope field, scoped by role, and name a misplaced queue filter', async () => {
    const day0 = { start: { seconds: String(day.at('00:00:00').getTime() / 1000) }, end: { seconds: String(day.at('00:00:00').getTime() / 1000 + 86400) } };
    const md = await as(['manager'], { siteIds: ['nanchang'] });
    const teams = (await unary('getPeriodReport', { period: 'PERIOD_DAY', range: day0, scope: 'REPORT_SCOPE_TEAM' }, md)).res!;
    // team-a: E1 answered c1 and c2; team-b: E2 answered c6
    expect(teams.rows!.map((r) => [r.scope, r.scopeId, r.queueId, kpi(r, 'answered')])).toEqual([
      ['REPORT_SCOPE_TEAM', 'team-a', '', 2], ['REPORT_SCOPE_TEAM', 'team-b', '', 1]]);
    const sites = (await unary('getPeriodReport', { period: 'PERIOD_DAY', range: day0, scope: 'REPORT_SCOPE_SITE', scopeIds: ['nanchang'] }, md)).res!;
    expect(sites.rows!.map((r) => [r.scopeId, kpi(r, 'offered'), kpi(r, 'answered')])).toEqual([['nanchang', 5, 3]]);
    const queues = (await unary('getPeriodReport', { period: 'PERIOD_DAY', range: day0 }, md)).res!;
    expect(queues.rows!.map((r) => [r.scope, r.scopeId, r.queueId])).toEqual([['REPORT_SCOPE_QUEUE', 'billing', 'billing']]);
    // Scoped by role: a team leader sees their team, a manager of another site none, another tenant's director none.
    const teamIds = async (m: grpc.Metadata) => (await unary('getPeriodReport', { period: 'PERIOD_DAY', range: day0, scope: 'REPORT_SCOPE_TEAM' }, m)).res!.rows!.map((r) => r.scopeId);
    expect(await teamIds(await as(['team_leader'], { teamIds: ['team-b'] }))).toEqual(['team-b']);
    expect(await teamIds(await as(['manager'], { siteIds: ['paris'] }))).toEqual([]);
    expect(await teamIds(await globex(['director']))).toEqual([]);
    const siteIds = async (m: grpc.Metadata) => (await unary('getPeriodReport', { period: 'PERIOD_DAY', range: day0, scope: 'REPORT_SCOPE_SITE' }, m)).res!.rows!.map((r) => r.scopeId);
    expect(await siteIds(await as(['manager'], { siteIds: ['paris'] }))).toEqual([]);
    expect(await siteIds(await as(['team_leader'], { teamIds: ['team-b'] }))).toEqual([]);
    const { error } = await unary('getPeriodReport', { period: 'PERIOD_DAY', range: day0, scope: 'REPORT_SCOPE_TEAM', queueIds: ['billing'] }, md);
    expect(error?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(error?.details).toContain('queue_ids');
  });

  it('should answer the period report per answering agent, a team leader seeing only their team', async () => {
    const day0 = { start: { seconds: String(day.at('00:00:00').getTime() / 1000) }, end: { seconds: String(day.at('00:00:00').getTime() / 1000 + 86400) } };
    const agents = async (md: grpc.Metadata, scopeIds: string[] = []) =>
      (await unary('getPeriodReport', { period: 'PERIOD_DAY', range: day0, scope: 'REPORT_SCOPE_AGENT', scopeIds }, md)).res!.rows!.map((r) => [r.scope, r.scopeId, kpi(r, 'answered')]);
    // E1 (team-a) answered c1 and c2; E2 (team-b) answered c6
    expect(await agents(await as(['director']))).toEqual([['REPORT_SCOPE_AGENT', 'E1', 2], ['REPORT_SCOPE_AGENT', 'E2', 1]]);
    expect(await agents(await as(['director']), ['E2'])).toEqual([['REPORT_SCOPE_AGENT', 'E2', 1]]);
    expect(await agents(await as(['team_leader'], { teamIds: ['team-a'] }))).toEqual([['REPORT_SCOPE_AGENT', 'E1', 2]]);
    expect(await agents(await globex(['director']))).toEqual([]);
  });

  it('should stream the real-time snapshot', async () => {
    const stream = client.watchRealtime({ queueIds: ['billing'] }, await as(['team_leader'], { teamIds: ['team-a'] }));
    const first = await new Promise<Res>((resolve, reject) => stream.once('data', resolve).once('error', reject));
    stream.cancel();
    const q = (first.snapshot as { queues: Record<string, number>[] }).queues[0];
    expect(q).toMatchObject({ queueId: 'billing', waitingCalls: 1, longestWaitSeconds: 60, agentsOnCall: 1 });
  });

  it('should export a report as CSV chunks', async () => {
    const stream = client.exportCsv({ kind: 'REPORT_KIND_INTERVAL', range, intervalSeconds: 1800 }, await as(['supervisor']));
    const chunks: Buffer[] = [];
    await new Promise<void>((resolve, reject) => stream.on('data', (r: Res) => chunks.push(r.chunk as Buffer)).on('end', resolve).on('error', reject));
    const lines = Buffer.concat(chunks).toString('utf8').trim().split('\r\n');
    expect(lines[0].startsWith('queue_id,bucket_start,offered,answered')).toBe(true);
    expect(lines).toHaveLength(3);
    expect(lines[1].startsWith(`billing,${day.at('09:00:00').toISOString()},3,2`)).toBe(true);
  });

  it('should recompute the range under every version of a KPI side by side', async () => {
    const { error, res } = await unary('recomputeKpis', { range, kpiIds: [] }, await as(['manager']));
    expect(error).toBeNull();
    const row = (res!.rows as unknown as { queueId: string; kpis: { kpiId: string; versions: { definitionVersion: number; value: number; definition: string }[] }[] }[])[0];
    expect(row.queueId).toBe('billing');
    const sl = row.kpis.find((k) => k.kpiId === 'service_level_connect')!;
    // 09:00–10:00: c1 (10 s), c6 (5 s) answered and c3 (3 s) abandoned within 20 s, of 5 offered; no timeouts, so v1 = v2
    expect(sl.versions.map((v) => [v.definitionVersion, v.value])).toEqual([[1, 60], [2, 60]]);
    expect(sl.versions[1].definition).toContain('timed out');
    const bad = await unary('recomputeKpis', { range, kpiIds: ['occupancy'] }, await as(['manager']));
    expect(bad.error?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(bad.error?.details).toContain('kpi_ids');
  });

  it('should answer what the wallboard showed at 09:40:30, from event times', async () => {
    const at = { seconds: String(day.at('09:40:30').getTime() / 1000), nanos: 0 };
    const { error, res } = await unary('getRealtimeSnapshotAt', { queueIds: ['billing'], asOf: at }, await as(['supervisor']));
    expect(error).toBeNull();
    const q = (res!.snapshot as { queues: (Record<string, number> & { today: { kpiId: string; value: number }[] })[] }).queues[0];
    // c4 queued at 09:40:00, abandoned only at 09:41; E1 on a call since 09:30:15
    expect(q).toMatchObject({ queueId: 'billing', waitingCalls: 1, longestWaitSeconds: 30, agentsOnCall: 1, agentsReady: 0 });
    // by then: c1 and c2 answered (and released), c3 abandoned; AHT (300 + 20 ACW + 100) / 2
    expect(kpi({ kpis: q.today }, 'offered')).toBe(3);
    expect(kpi({ kpis: q.today }, 'aht')).toBe(210);
    expect((await unary('getRealtimeSnapshotAt', { queueIds: [] }, await as(['supervisor']))).error?.code).toBe(grpc.status.INVALID_ARGUMENT);
  });
});
