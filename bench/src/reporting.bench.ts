/**
 * Reporting: (1) rebuilding the call-facts projection from Kafka into Postgres (ProjectionRunner, exactly-once
 * effects, set-based applyBatch per chunk; with and without the per-event id table) against a bare kafkajs
 * consume-and-insert loop (eachBatch, one unnest insert per batch, no dedupe, no offsets in the database);
 * (2) monthly reports per queue, agent and team over 1,000,000 calls (daily rollup vs the raw query; materialised on
 * demand by the first read, or ahead of it by the background materialiser); (3) rebuilding agent_state per event vs set-based (runAgentStateRebuildBench).
 */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { Pool } from 'pg';
import { dropBenchDatabase } from './bench-database';
import { percentile, readConnectStream } from './reporting-connect-stream';
import { runPbxFreshness } from './reporting-pbx-freshness';
import {
  AgentStateChanged, systemEnvelopeDeps, CallAnswered, CallOffered, CallQueued, CallReleased, CallWrapUpCompleted, createEnvelope, encode, type AnyEvent, type DataOf,
  type EventDefinition,
} from '@switchboard/contracts';
import { createIdempotentProducer, deadLetterTopic, migrateEventStore, ProjectionRunner, swapProjectionView } from '@switchboard/eventsourcing';
import { mintDevToken } from '@switchboard/service-kit';
import { startProjections } from '@switchboard/reporting/src/projections/projection-host';
import { syntheticCall } from '@switchboard/reporting/src/test-support/synthetic-calls';
import { startWallboard } from '@switchboard/reporting/src/wallboard/wallboard-server';
import { ensureDatabase, ensureInfra } from '@switchboard/local-infra';
import { DEFAULT_KPI_PARAMETERS } from '@switchboard/reporting/src/kpis/domain/kpi';
import { callFactsProjection } from '@switchboard/reporting/src/projections/call-facts.projection';
import { agentStateProjection } from '@switchboard/reporting/src/projections/agent-state.projection';
import { agentShift } from '@switchboard/reporting/src/test-support/agent-shift.fixture';
import { ReportReader, type BucketRow } from '@switchboard/reporting/src/reports/application/report-reader';
import { migrateAgentDirectory } from '@switchboard/reporting/src/reports/infrastructure/agent-directory';
import { RollupMaterialiser } from '@switchboard/reporting/src/reports/application/rollup-materialiser';
import { CALL_KPIS, computeFigures } from '@switchboard/reporting/src/kpis/domain/kpi-catalog';
import { queryCallAggregates } from '@switchboard/reporting/src/reports/infrastructure/call-aggregate.query';

interface BenchResult { name: string; metrics: Record<string, number>; baseline: Record<string, number>; notes: string }

/**
 * Calls replayed by the rebuild bench (5 events each). 30,000 (150,000 events) measures the sustained rate a rebuild of
 * real history runs at; with 6,000 (the default before session 6) the consumer group's join and the first fetches were
 * a visible part of a ~1.5 s run. REPORTING_BENCH_CALLS=6000 reproduces the earlier figures.
 */
const CALLS = Number(process.env.REPORTING_BENCH_CALLS ?? 30_000);
const MONTH_CALLS = 1_000_000;
const TARGET_EVENTS_PER_S = 20_000;
const TARGET_MONTHLY_MS = 1000;
const PARTITIONS = 6;

function callEvents(n: number): AnyEvent[] {
  const base = Date.parse('2025-03-01T00:00:00Z') + n * 7_000;
  const callId = `bench-${n}`;
  let seq = 0;
  const ev = <E extends EventDefinition>(def: E, offsetMs: number, data: DataOf<E>) => createEnvelope(def, {
    service: 'telephony-gateway', site: 'bench', tenant: 'acme', subject: callId, sequence: ++seq,
    id: `0190f3a2-${(n % 65536).toString(16).padStart(4, '0')}-7${seq.toString(16).padStart(3, '0')}-8${(Math.floor(n / 65536) % 4096).toString(16).padStart(3, '0')}-${n.toString(16).padStart(12, '0')}`,
    time: new Date(base + offsetMs), data,
  }) as unknown as AnyEvent;
  const queueId = `q${n % 8}`;
  return [
    ev(CallOffered, 0, { callId, pbxLinkId: 'b1', direction: 'inbound', channel: 'voice', callerHash: (n % 5000).toString(16).padStart(64, '0'), callerMasked: '138****0000', dialedNumber: '95598' }),
    ev(CallQueued, 1000, { callId, queueId, skillId: 's', position: 1, queueLength: 1, queueVisit: 1 }),
    ev(CallAnswered, 1000 + (n % 40) * 1000, { callId, queueId, agentId: `a${n % 50}`, extension: '8000', waitSeconds: n % 40, ringCount: n % 4, ringDurationMs: 3000, queueVisit: 1 }),
    ev(CallReleased, 200_000, { callId, agentId: `a${n % 50}`, releasedBy: n % 9 === 0 ? 'agent' : 'caller', talkSeconds: 150, holdCount: 0, totalHoldSeconds: 0, transferCount: 0 }),
    ev(CallWrapUpCompleted, 230_000, { callId, agentId: `a${n % 50}`, acwSeconds: 30, dispositionCode: 'RESOLVED' }),
  ];
}

async function publish(kafka: Kafka, topic: string): Promise<number> {
  const producer = createIdempotentProducer(kafka);
  await producer.connect();
  let count = 0;
  for (let i = 0; i < CALLS; i += 500) {
    const events = Array.from({ length: Math.min(500, CALLS - i) }, (_, j) => callEvents(i + j)).flat();
    await producer.send({ topic, acks: -1, messages: events.map((e) => ({ key: e.subject, value: encode(e) })) });
    count += events.length;
  }
  await producer.disconnect();
  return count;
}

/**
 * `dedupeEventIds: false` is how the reporting host runs call facts (offsets alone, idempotent merges); `true` is the
 * runner's default (one `es_consumer_processed` insert per event), measured beside it under another projection name.
 */
async function rebuild(kafka: Kafka, pool: Pool, topic: string, events: number, dedupeEventIds: boolean): Promise<number> {
  const producer = createIdempotentProducer(kafka);
  await producer.connect();
  const facts = callFactsProjection([topic]);
  const projection = dedupeEventIds ? { ...facts, name: 'call_facts_ids', table: `call_facts_ids_v${facts.version}`, groupId: `projection-call_facts_ids-v${facts.version}` } : facts;
  const runner = new ProjectionRunner(projection, { kafka, pool, deadLetterProducer: producer, chunkSize: 1000, progressIntervalMs: 500, logger: { info: () => undefined }, dedupeEventIds });
  const started = Date.now();
  await runner.start();
  await runner.whenActive();
  const seconds = (Date.now() - started) / 1000;
  await runner.stop();
  await producer.disconnect();
  return events / seconds;
}

async function bareLoop(kafka: Kafka, pool: Pool, topic: string, events: number): Promise<number> {
  await pool.query('create table bench_bare_events (event_id text, call_id text, type text, time timestamptz)');
  const consumer = kafka.consumer({ groupId: `bench-bare-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let seen = 0;
  const started = Date.now();
  const done = new Promise<void>((resolve) => void consumer.run({
    eachBatch: async ({ batch }) => {
      const es = batch.messages.map((m) => JSON.parse(m.value!.toString()) as AnyEvent);
      await pool.query('insert into bench_bare_events select * from unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[])',
        [es.map((e) => e.id), es.map((e) => e.subject), es.map((e) => e.type), es.map((e) => e.time)]);
      seen += es.length;
      if (seen >= events) resolve();
    },
  }));
  await done;
  const seconds = (Date.now() - started) / 1000;
  await consumer.disconnect();
  return events / seconds;
}

interface MonthlyTiming { warmMs: number; coldMs: number; rawMs: number; rows: number; equal: boolean }
/** The same month after the background materialiser caught up: how long that took, then each scope's first read. */
interface BackgroundTiming { catchUpMs: number; catchUpDays: number; firstReadMs: Record<Scope, number>; equal: Record<Scope, boolean> }
type Scope = 'queue' | 'agent' | 'team';
const MONTH_AGENTS = 300;
const MONTH_TEAMS = 20;

/**
 * 1,000,000 calls over March 2025 straight into the active call-facts table, 300 agents in 20 teams, then the
 * month's report per queue, per agent and per team (the team's from its agents' rollup days, read after the agents').
 * Each: a first (cold) call that materialises the month's 31 days on demand, then the median of 3 (warm); the raw
 * single-pass query over the facts as baseline, whose rows must equal the rollup's. Then the rollup is emptied and the
 * background materialiser (the service's, as main.ts runs it: default fingerprints of tenant acme in Asia/Shanghai)
 * catches up: its time, then the first read of each scope (the one a director makes after the month is loaded).
 */
async function monthlyReports(pool: Pool): Promise<{ queue: MonthlyTiming; agent: MonthlyTiming; team: MonthlyTiming; background: BackgroundTiming }> {
  const table = callFactsProjection().table;
  await pool.query(`insert into ${table} (call_id, queue_visit, tenant, site, queue_id, queued_at, queued_exact, offered_at, caller_hash, answered_at,
      agent_id, abandoned_at, timed_out_at, wait_s, ring_count, talk_s, hold_s, hold_count, acw_s, released_by)
    select 'm' || g, 1, 'acme', 'bench', 'q' || (g % 8), t, true, t, md5((g % 200000)::text), case when answered then t + interval '15 s' end,
      case when answered then 'a' || ((g / 10) % ${MONTH_AGENTS}) end, case when g % 10 = 0 then t + interval '30 s' end, case when g % 13 = 0 and g % 10 <> 0 then t + interval '60 s' end,
      (g % 60)::float8, g % 4, 180, g % 30, g % 3, 30, case when g % 9 = 0 then 'agent' else 'caller' end
    from generate_series(1, ${MONTH_CALLS}) g, lateral (select timestamptz '2025-03-01 00:00+08' + (g * interval '2.678 s') as t, g % 10 <> 0 and g % 13 <> 0 as answered) x`);
  await pool.query(`analyze ${table}`);
  await migrateAgentDirectory(pool);
  await pool.query(`insert into reporting_agent_teams select 'acme', 'a' || n, 'bench', 't' || (n % ${MONTH_TEAMS}) from generate_series(0, ${MONTH_AGENTS - 1}) n`);
  const reader = new ReportReader(pool, { timeZone: 'Asia/Shanghai', parameters: DEFAULT_KPI_PARAMETERS });
  const range = { start: new Date('2025-03-01T00:00:00+08:00'), end: new Date('2025-04-01T00:00:00+08:00') };
  const base = { ...range, bucketing: { kind: 'period', unit: 'month' } as const, timeZone: 'Asia/Shanghai', parameters: DEFAULT_KPI_PARAMETERS, tenant: 'acme' };
  const time = async <T>(run: () => Promise<T>): Promise<[number, T]> => {
    const t0 = process.hrtime.bigint();
    const result = await run();
    return [Number(process.hrtime.bigint() - t0) / 1e6, result];
  };
  const rawRowsOf: Partial<Record<Scope, string>> = {};
  const measure = async (report: () => Promise<BucketRow[]>, groupBy: 'queue_id' | 'agent_id' | 'team'): Promise<MonthlyTiming> => {
    const timings: number[] = [];
    let rows: BucketRow[] = [];
    for (let i = 0; i < 4; i++) {
      const [ms, result] = await time(report);
      timings.push(ms);
      rows = result;
    }
    const [rawMs, raw] = await time(() => queryCallAggregates(pool, { ...base, groupBy }));
    const rawRows = raw.map((r) => ({ key: r.group, bucketStart: r.bucketStart, figures: computeFigures(CALL_KPIS, { calls: r.calls, agents: NO_AGENT_TIME }, DEFAULT_KPI_PARAMETERS) }));
    rawRowsOf[groupBy === 'queue_id' ? 'queue' : groupBy === 'agent_id' ? 'agent' : 'team'] = JSON.stringify(rawRows);
    return { warmMs: timings.slice(1).sort((a, b) => a - b)[1], coldMs: timings[0], rawMs, rows: rows.length, equal: JSON.stringify(rows) === JSON.stringify(rawRows) };
  };
  const queue = await measure(() => reader.periodReport(range, 'month', undefined, 'acme'), 'queue_id');
  const agent = await measure(() => reader.agentPeriodReport(range, 'month', { tenant: 'acme' }), 'agent_id');
  const team = await measure(() => reader.scopedPeriodReport(range, 'month', 'team', { tenant: 'acme' }), 'team');
  const reports: Record<Scope, () => Promise<BucketRow[]>> = {
    queue: () => reader.periodReport(range, 'month', undefined, 'acme'),
    agent: () => reader.agentPeriodReport(range, 'month', { tenant: 'acme' }),
    team: () => reader.scopedPeriodReport(range, 'month', 'team', { tenant: 'acme' }),
  };
  return { queue, agent, team, background: await afterBackgroundCatchUp(pool, reports, rawRowsOf as Record<Scope, string>) };
}

async function afterBackgroundCatchUp(pool: Pool, reports: Record<Scope, () => Promise<BucketRow[]>>, rawRows: Record<Scope, string>): Promise<BackgroundTiming> {
  const table = callFactsProjection().table;
  await pool.query(`truncate "${table}_rollup", "${table}_rollup_days"`);
  const materialiser = new RollupMaterialiser(pool, { timeZone: 'Asia/Shanghai', siteTimeZones: {}, parameters: DEFAULT_KPI_PARAMETERS, pollMs: 2000, idlePollMaxMs: 30_000 },
    { info: () => undefined, error: () => undefined });
  // Passes back to back (the service waits REPORTING_ROLLUP_POLL_MS between them): the time is the materialisation's.
  const t0 = process.hrtime.bigint();
  let catchUpDays = 0;
  for (let pass = await materialiser.runOnce(); !pass.current; pass = await materialiser.runOnce()) catchUpDays += pass.days;
  const catchUpMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const firstReadMs = {} as Record<Scope, number>;
  const equal = {} as Record<Scope, boolean>;
  for (const scope of ['queue', 'agent', 'team'] as const) {
    const t1 = process.hrtime.bigint();
    const rows = await reports[scope]();
    firstReadMs[scope] = Number(process.hrtime.bigint() - t1) / 1e6;
    equal[scope] = JSON.stringify(rows) === rawRows[scope];
  }
  return { catchUpMs, catchUpDays, firstReadMs, equal };
}

const NO_AGENT_TIME = { readySeconds: 0, onCallSeconds: 0, wrapUpSeconds: 0, notReadySeconds: {} };

const MONTHLY_FIRST_READS = 'First reads after the bulk load, two ways: monthly_*_cold_ms = the on-demand path (the read itself materialises the ' +
  "month's 31 days of its dimension: what a report gets when it comes before the background materialiser, e.g. right after a bulk load); " +
  'monthly_*_after_background_ms = the first read after the rollup was emptied and the background materialiser caught up ' +
  '(monthly_background_catchup_ms for monthly_background_catchup_days days: 31 days × queue, agent and site, passes run back to back without the service\'s poll pause; ' +
  "the team's first read sums agent days already there in both rows).";

/** `reporting.bench.ts monthly`: the monthly reports alone, on an empty active call-facts version (no rebuild first). */
async function monthlyOnly(): Promise<unknown> {
  const infra = await ensureInfra();
  const dbName = `sb_bench_month_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
  const pool = new Pool({ connectionString: await ensureDatabase(infra.postgresUrl, dbName), max: 4 });
  try {
    await migrateEventStore(pool);
    const p = callFactsProjection();
    const client = await pool.connect();
    try {
      await p.init(client, p.table);
      await swapProjectionView(client, p as never);
    } finally {
      client.release();
    }
    return { description: MONTHLY_FIRST_READS, ...(await monthlyReports(pool)) };
  } finally {
    await pool.end();
    await dropBenchDatabase(infra.postgresUrl, dbName);
  }
}

/** A fresh database (event store migrated) and a fresh topic with its DLQ for one rebuild bench; both removed after. */
async function withRebuildFixture<T>(name: string, run: (f: { pool: Pool; kafka: Kafka; topic: string }) => Promise<T>): Promise<T> {
  const infra = await ensureInfra();
  const dbName = `sb_bench_${name}_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
  const pool = new Pool({ connectionString: await ensureDatabase(infra.postgresUrl, dbName), max: 4 });
  const kafka = new Kafka({ clientId: `reporting-${name}-bench`, brokers: infra.kafkaBrokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const topic = `bench-${name}-${dbName.slice(-10)}`;
  await admin.connect();
  try {
    await admin.createTopics({ waitForLeaders: true, topics: [topic, deadLetterTopic(topic)].map((t) => ({ topic: t, numPartitions: PARTITIONS, replicationFactor: 1 })) });
    await migrateEventStore(pool);
    return await run({ pool, kafka, topic });
  } finally {
    await admin.deleteTopics({ topics: [topic, deadLetterTopic(topic)] }).catch(() => undefined);
    await admin.disconnect();
    await pool.end();
    await dropBenchDatabase(infra.postgresUrl, dbName);
  }
}

export async function runReportingBench(): Promise<BenchResult> {
  return withRebuildFixture('rep', async ({ pool, kafka, topic }) => {
    const events = await publish(kafka, topic);
    const bare = await bareLoop(kafka, pool, topic, events);
    // The default path first: any warm-up favours it, not the path the host runs.
    const withIds = await rebuild(kafka, pool, topic, events, true);
    const projected = await rebuild(kafka, pool, topic, events, false);
    const { background, ...month } = await monthlyReports(pool);
    const scopes = Object.entries(month) as [Scope, MonthlyTiming][];
    const monthlyMet = scopes.every(([, m]) => m.warmMs < TARGET_MONTHLY_MS && m.equal);
    const firstReadsMet = scopes.every(([scope, m]) => m.coldMs < TARGET_MONTHLY_MS && background.firstReadMs[scope] < TARGET_MONTHLY_MS && background.equal[scope]);
    return {
      name: 'reporting-projection-and-monthly-report',
      metrics: { rebuildEventsPerSecond: Math.round(projected), rebuildVsBareRatio: projected / bare,
        ...Object.fromEntries(scopes.flatMap(([scope, m]) => [[`monthly_${scope}_ms`, Math.round(m.warmMs)], [`monthly_${scope}_cold_ms`, Math.round(m.coldMs)], [`monthly_${scope}_rows`, m.rows],
          [`monthly_${scope}_equals_raw`, m.equal ? 1 : 0], [`monthly_${scope}_after_background_ms`, Math.round(background.firstReadMs[scope])],
          [`monthly_${scope}_after_background_equals_raw`, background.equal[scope] ? 1 : 0]])),
        monthly_background_catchup_ms: Math.round(background.catchUpMs), monthly_background_catchup_days: background.catchUpDays },
      baseline: { rebuildEventsPerSecond: Math.round(bare), rebuildWithEventIdDedupeEventsPerSecond: Math.round(withIds),
        ...Object.fromEntries(scopes.map(([scope, m]) => [`monthly_${scope}_ms`, Math.round(m.rawMs)])) },
      notes: `${events} contract-valid call events (${CALLS} calls × 5) on ${PARTITIONS} partitions rebuilt into call_facts via ProjectionRunner ` +
        `(applyBatch: one locked load + one unnest upsert + one dirty-bin insert + one set-based repeat-caller statement per chunk; exactly-once from the offsets stored in the chunk's transaction, no per-event id table; chunk 1000) ` +
        `vs a bare eachBatch consume + unnest insert loop; also the same rebuild with the runner's default per-event id dedupe (rebuildWithEventIdDedupeEventsPerSecond). ` +
        `Rebuild target ≥ ${TARGET_EVENTS_PER_S}/s: ${projected >= TARGET_EVENTS_PER_S ? 'met' : 'MISSED'}. ` +
        `Monthly reports (23 call KPIs, Asia/Shanghai month, tenant acme) over ${MONTH_CALLS} generate_series calls per queue (8), per agent (${MONTH_AGENTS}) and per team (${MONTH_TEAMS}, ` +
        `its agents' rollup days joined to the directory) from the daily rollup: median of 3 after a first (cold) call that materialises the days (the team's cold call reads the agent days ` +
        `the agent report materialised); baseline column = the raw single-pass query over the facts, whose figures must equal the rollup's (monthly_*_equals_raw). ` +
        `Target < ${TARGET_MONTHLY_MS} ms each: ${monthlyMet ? 'met' : 'MISSED'}. ${MONTHLY_FIRST_READS} First reads < ${TARGET_MONTHLY_MS} ms: ${firstReadsMet ? 'met' : 'MISSED'}.`,
    };
  });
}

const FRESH_RATE = 500;
const FRESH_SECONDS = Number(process.env.REPORTING_FRESHNESS_SECONDS ?? 20);
const TICK_MS = 100;

/**
 * Freshness, side by side in one run: from the PBX frame (reporting-pbx-freshness.ts: simulator → AMI → gateway →
 * Kafka → projections → the agent board stream and, same run, the queue tiles' WatchRealtime stream: tile* metrics) at
 * 500 AMI frames/s and at 1,750 (≈ 500 canonical events/s), then from canonical events published straight to Kafka
 * (below, agent board only), so the gateway's share is visible.
 */
export async function runReportingFreshnessBench(): Promise<BenchResult[]> {
  // 500 AMI frames/s, then ~500 canonical events/s (about 0.29 canonical events per frame), then the canonical-only path.
  const rates = (process.env.REPORTING_PBX_RATES ?? '500,1750').split(',').map(Number);
  const fromFrames: BenchResult[] = [];
  for (const rate of rates) fromFrames.push(await runPbxFreshness(rate));
  return [...fromFrames, await canonicalFreshness()];
}

/**
 * Freshness: canonical events published at 500/s (call events from the synthetic day plus, every 100 ms, one
 * AgentStateChanged of a new probe agent) into running reporting projections and a wallboard server; latency = from
 * the probe's produce call until a WatchAgentBoard (Connect) message shows that agent. Baseline in the same run: a
 * bare kafkajs consumer on the agent topic seeing the same probes (the transport floor).
 */
async function canonicalFreshness(): Promise<BenchResult> {
  const infra = await ensureInfra();
  const dbName = `sb_bench_fresh_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
  const pool = new Pool({ connectionString: await ensureDatabase(infra.postgresUrl, dbName), max: 8 });
  const kafka = new Kafka({ clientId: 'reporting-freshness-bench', brokers: infra.kafkaBrokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const topics = { call: [`bench-fresh-call-${dbName.slice(-10)}`], agent: [`bench-fresh-agent-${dbName.slice(-10)}`] };
  const all = [...topics.call, ...topics.agent];
  await admin.connect();
  const producer = createIdempotentProducer(kafka);
  const bare = kafka.consumer({ groupId: `bench-fresh-bare-${randomUUID()}` });
  const abort = new AbortController();
  let host: Awaited<ReturnType<typeof startProjections>> | undefined;
  let wallboard: Awaited<ReturnType<typeof startWallboard>> | undefined;
  try {
    await admin.createTopics({ waitForLeaders: true, topics: [...all, ...all.map(deadLetterTopic)].map((t) => ({ topic: t, numPartitions: 3, replicationFactor: 1 })) });
    await migrateEventStore(pool);
    await producer.connect();
    host = await startProjections({ kafka, pool, deadLetterProducer: producer, topics, chunkSize: 500, logger: { info: () => undefined } });
    await host.whenActive();
    const secret = 'reporting-freshness-bench-secret-32-bytes!';
    const reader = new ReportReader(pool, { timeZone: 'Asia/Shanghai', parameters: DEFAULT_KPI_PARAMETERS });
    wallboard = await startWallboard({
      host: '127.0.0.1', port: 0, pool, auth: { key: { kind: 'hs256', secret } }, timeZone: 'Asia/Shanghai', pollMs: 250,
      reporting: { reader, teamOf: async () => new Map(), teamRefs: async () => new Map(), lag: async () => 0, now: () => new Date() },
      stateLimitSeconds: { busy: 300 }, signInSnapshotTimes: ['09:00'], signInSnapshotGraceMinutes: 30, onError: () => undefined,
    });
    const token = await mintDevToken({ secret, subject: 'bench', roles: ['director'], tenant: 'acme' });
    const sentAt = new Map<string, number>();
    const boardLatency: number[] = [];
    const kafkaLatency: number[] = [];
    const seen = new Set<string>();
    void readConnectStream<{ agents?: { agentId: string }[] }>(`${wallboard.url}switchboard.reporting.wallboard.v1.WallboardService/WatchAgentBoard`, token, {}, (m) => {
      const now = Date.now();
      for (const a of m.agents ?? []) {
        const t = sentAt.get(a.agentId);
        if (t !== undefined && !seen.has(a.agentId)) {
          seen.add(a.agentId);
          boardLatency.push(now - t);
        }
      }
    }, abort.signal).catch(() => undefined);
    await bare.connect();
    await bare.subscribe({ topics: topics.agent, fromBeginning: true });
    await bare.run({ eachMessage: async ({ message }) => {
      const id = message.key?.toString() ?? '';
      const t = sentAt.get(id);
      if (t !== undefined) kafkaLatency.push(Date.now() - t);
    } });
    await new Promise((r) => setTimeout(r, 2000)); // stream open, bare consumer joined
    const perTick = (FRESH_RATE * TICK_MS) / 1000;
    let n = 0;
    let published = 0;
    const started = Date.now();
    for (let tick = 0; tick < (FRESH_SECONDS * 1000) / TICK_MS; tick++) {
      const due = started + tick * TICK_MS;
      await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
      const calls: AnyEvent[] = [];
      while (calls.length < perTick - 1) calls.push(...syntheticCall(n++, Date.now() - 60_000));
      const probeId = `P${tick}`;
      const probe = createEnvelope(AgentStateChanged, { service: 'telephony-gateway', site: 'bench', tenant: 'acme', subject: probeId, sequence: 1,
        time: new Date().toISOString(),
        data: { agentId: probeId, extension: '8000', previous: { status: 'ready' }, current: { status: 'not-ready', reason: 'break' }, previousStateSeconds: 1 } }, systemEnvelopeDeps) as unknown as AnyEvent;
      const batch = calls.slice(0, perTick - 1);
      sentAt.set(probeId, Date.now());
      await producer.sendBatch({ acks: -1, topicMessages: [
        { topic: topics.agent[0], messages: [{ key: probeId, value: encode(probe) }] },
        { topic: topics.call[0], messages: batch.map((e) => ({ key: e.subject, value: encode(e) })) },
      ] });
      published += batch.length + 1;
    }
    const sendSeconds = (Date.now() - started) / 1000;
    await new Promise((r) => setTimeout(r, 3000)); // stragglers
    const probes = sentAt.size;
    const board = [...boardLatency].sort((a, b) => a - b);
    const floor = [...kafkaLatency].sort((a, b) => a - b);
    return {
      name: 'reporting-wallboard-freshness',
      metrics: { eventsPerSecond: Math.round(published / sendSeconds), probes, probesSeenOnBoard: board.length, p50Ms: percentile(board, 50), p99Ms: percentile(board, 99), maxMs: board[board.length - 1] ?? 0 },
      baseline: { p50Ms: percentile(floor, 50), p99Ms: percentile(floor, 99), maxMs: floor[floor.length - 1] ?? 0 },
      notes: `${published} canonical events in ${sendSeconds.toFixed(1)} s (${FRESH_RATE}/s target: synthetic call events + one probe AgentStateChanged per ${TICK_MS} ms) published (acks=all) into ` +
        `running reporting projections (chunk 500) and a wallboard server (WALLBOARD_POLL_MS 250); latency = probe produce call → WatchAgentBoard Connect message showing the probe agent. ` +
        `Not PBX frames: the gateway is left out (the frame → board rows of the same run include it). Baseline = a bare kafkajs consumer seeing the same probes. Target p99 < 1000 ms: ${percentile(board, 99) < 1000 && board.length === probes ? 'met' : 'MISSED'}.`,
    };
  } finally {
    abort.abort();
    await bare.disconnect().catch(() => undefined);
    await wallboard?.close();
    await host?.stop();
    await producer.disconnect().catch(() => undefined);
    await admin.deleteTopics({ topics: [...all, ...all.map(deadLetterTopic)] }).catch(() => undefined);
    await admin.disconnect();
    await pool.end();
    await dropBenchDatabase(infra.postgresUrl, dbName);
  }
}

const AGENT_BENCH_AGENTS = Number(process.env.REPORTING_AGENT_BENCH_AGENTS ?? 300);

/** Rebuilds agent_state from `topic` under its own consumer group and table; events per second until caught up. */
async function rebuildAgentState(kafka: Kafka, pool: Pool, topic: string, events: number, batched: boolean): Promise<number> {
  const producer = createIdempotentProducer(kafka);
  await producer.connect();
  const p = agentStateProjection([topic]);
  const name = batched ? 'agent_state_batch' : 'agent_state_per_event';
  const projection = { ...p, name, table: `${name}_v${p.version}`, groupId: `projection-${name}-v${p.version}`, applyBatch: batched ? p.applyBatch : undefined };
  // The host's settings for agent state: chunk 500, per-event id dedupe.
  const runner = new ProjectionRunner(projection, { kafka, pool, deadLetterProducer: producer, chunkSize: 500, progressIntervalMs: 500, logger: { info: () => undefined } });
  const started = Date.now();
  await runner.start();
  await runner.whenActive();
  const seconds = (Date.now() - started) / 1000;
  await runner.stop();
  await producer.disconnect();
  return events / seconds;
}

/**
 * Agent-state rebuild: the same topic of agent sessions (log-ins, state changes, queue membership changes, log-outs)
 * rebuilt twice in one run, per event (`apply`, the path before applyBatch existed) and set-based (`applyBatch`).
 */
export async function runAgentStateRebuildBench(): Promise<BenchResult> {
  return withRebuildFixture('agents', async ({ pool, kafka, topic }) => {
    const shift = agentShift(AGENT_BENCH_AGENTS);
    const producer = createIdempotentProducer(kafka);
    await producer.connect();
    for (let i = 0; i < shift.length; i += 500) {
      await producer.send({ topic, acks: -1, messages: shift.slice(i, i + 500).map((e) => ({ key: e.subject, value: encode(e) })) });
    }
    await producer.disconnect();
    // The old path first: any warm-up favours it.
    const perEvent = await rebuildAgentState(kafka, pool, topic, shift.length, false);
    const batched = await rebuildAgentState(kafka, pool, topic, shift.length, true);
    return {
      name: 'reporting-agent-state-rebuild',
      metrics: { rebuildEventsPerSecond: Math.round(batched), batchVsPerEventRatio: batched / perEvent },
      baseline: { rebuildPerEventEventsPerSecond: Math.round(perEvent) },
      notes: `${shift.length} contract-valid agent events (${AGENT_BENCH_AGENTS} agents, two sessions each) on ${PARTITIONS} partitions rebuilt into agent_state ` +
        'via ProjectionRunner as the host runs it (chunk 500, per-event id dedupe): applyBatch (one locked load, one unnest upsert of the rows, one unnest insert of the segments per chunk) ' +
        'vs per-event apply (two statements per event) in the same run.',
    };
  });
}

if (require.main === module) {
  (process.argv[2] === 'freshness' ? runReportingFreshnessBench() : process.argv[2] === 'monthly' ? monthlyOnly() : process.argv[2] === 'agent-state' ? runAgentStateRebuildBench() : runReportingBench()).then((r) => process.stdout.write(`${JSON.stringify(r, null, 2)}\n`), (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
    process.exitCode = 1;
  });
}
