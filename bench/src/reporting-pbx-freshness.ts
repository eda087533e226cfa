/**
 * Wallboard freshness from the PBX frame (issue #7: "PBX frame → wallboard stream update at 500 events/s"): the PBX
 * simulator speaking AMI at a paced rate → the telephony gateway runtime (reporting-pbx-source.ts, by default in its
 * own process as in production) → Kafka → the reporting projections → the wallboard's WatchAgentBoard Connect stream,
 * the one the browser reads (reporting side in this process).
 *
 * Latency of one sample = from the moment the simulator wrote an answered call's frames (AgentConnect) to its AMI
 * socket until the board stream first shows that agent on-call. In the same run a bare consumer on the gateway's agent
 * topic times the same answers to the canonical AgentStateChanged(on-call): the gateway's share.
 *
 * Queue tiles, same run: the wallboard's ReportingService WatchRealtime Connect stream (another read model: call
 * facts). Probe = each queue tile's `offered` of the day (visits answered, abandoned or timed out: a counter that only
 * grows), so the k-th time a caller left queue Q (QueueCallerLeave / QueueCallerAbandon frames) is reflected by the
 * first message whose tile for Q shows offered ≥ k; sample = that message's arrival − when those frames were written.
 * Baseline: the bare consumer counting the same leaves (CallAnswered / CallAbandoned / CallQueueTimedOut per visit) on
 * the call topic.
 *
 * Run: node -r @swc-node/register bench/src/reporting.bench.ts freshness (REPORTING_PBX_RATES=500,1750 frames/s,
 * REPORTING_PBX_SECONDS=60, REPORTING_PBX_WARMUP_SECONDS=10, REPORTING_PBX_SCENARIO=peak-hour-1000-agents,
 * REPORTING_PBX_GATEWAY_PROCESS=own|same, GATEWAY_RELAY_IN_WORKER=0|1); one rate alone: node -r @swc-node/register
 * bench/src/reporting-pbx-freshness.ts (REPORTING_PBX_RATE=500).
 */
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { AgentStateChanged, CallAbandoned, CallAnswered, CallQueueTimedOut, Topics } from '@switchboard/contracts';
import { createIdempotentProducer, createKafka, deadLetterTopic, migrateEventStore } from '@switchboard/eventsourcing';
import { ensureDatabase, ensureInfra } from '@switchboard/local-infra';
import { EventTimeClock, latestEventTime } from '@switchboard/reporting/src/clock/event-time-clock';
import { DEFAULT_KPI_PARAMETERS } from '@switchboard/reporting/src/kpis/domain/kpi';
import { startProjections } from '@switchboard/reporting/src/projections/projection-host';
import { ReportReader } from '@switchboard/reporting/src/reports/application/report-reader';
import { migrateAgentDirectory, teamRefsOf, teamsOf } from '@switchboard/reporting/src/reports/infrastructure/agent-directory';
import { startWallboard } from '@switchboard/reporting/src/wallboard/wallboard-server';
import { mintDevToken } from '@switchboard/service-kit';
import { logLevel } from 'kafkajs';
import { Pool } from 'pg';
import { dropBenchDatabase } from './bench-database';
import { percentile, readConnectStream } from './reporting-connect-stream';
import { runPbxSource, type ChildMessage, type PbxSourceConfig, type PbxSourceSummary, type Written } from './reporting-pbx-source';

interface BenchResult { name: string; metrics: Record<string, number>; baseline: Record<string, number>; notes: string }

const SECONDS = Number(process.env.REPORTING_PBX_SECONDS ?? 60);
/** Paced but not measured: agents' logins, the first calls, the clock and the projections settling. */
const WARMUP_SECONDS = Number(process.env.REPORTING_PBX_WARMUP_SECONDS ?? 10);
const SCENARIO = process.env.REPORTING_PBX_SCENARIO ?? 'peak-hour-1000-agents';
const POLL_MS = 250;
/** `same`: the simulator and gateway in this process too (one event loop for everything). */
const GATEWAY_PROCESS = process.env.REPORTING_PBX_GATEWAY_PROCESS ?? 'own';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** When each measured answer was written, per agent, oldest first; a sample takes the oldest pending one. */
class PendingAnswers {
  private readonly byAgent = new Map<string, number[]>();
  add(agentId: string, at: number): void {
    (this.byAgent.get(agentId) ?? this.byAgent.set(agentId, []).get(agentId)!).push(at);
  }
  /** The oldest answer written for the agent (and forgets the agent's pending ones: one on-call shows them all). */
  take(agentId: string, now: number): number | undefined {
    const list = this.byAgent.get(agentId)?.filter((t) => t <= now);
    this.byAgent.delete(agentId);
    return list?.[0];
  }
}

interface BoardMessage { agents?: { agentId: string; state: string }[] }

/**
 * Per queue, when each of its leaves was written (the k-th at index k − 1). A count of the queue's leaves at ≥ k shows a
 * state at least as new as the k-th leave, so the first count ≥ k is the k-th leave's sample. Leaves from different
 * Kafka partitions may be applied out of write order: then the count reaches k through a later leave, which is what
 * the tile shows ("k callers have left").
 */
class QueueLeaveCounter {
  private readonly byQueue = new Map<string, { writtenAt: number[]; measured: boolean[]; shown: number }>();
  /** Leaves a count showed before the simulator had reported writing them: the count is not the leaves' when > 0. */
  aheadOfWrites = 0;

  written(queue: string, at: number, measured: boolean): void {
    const q = this.queue(queue);
    q.writtenAt.push(at);
    q.measured.push(measured);
    if (q.writtenAt.length <= q.shown) this.aheadOfWrites++;
  }

  /** Latencies of the measured leaves a count of `count` for `queue`, seen at `now`, shows for the first time. */
  shown(queue: string, count: number, now: number): number[] {
    const q = this.queue(queue);
    const samples: number[] = [];
    for (let k = q.shown; k < Math.min(count, q.writtenAt.length); k++) if (q.measured[k]) samples.push(now - q.writtenAt[k]);
    q.shown = Math.max(q.shown, count);
    return samples;
  }

  /** Queues whose last count differs from the leaves written (after the stragglers: should be none). */
  queuesOff(): number {
    return [...this.byQueue.values()].filter((q) => q.shown !== q.writtenAt.length).length;
  }

  private queue(id: string) {
    return this.byQueue.get(id) ?? this.byQueue.set(id, { writtenAt: [], measured: [], shown: 0 }).get(id)!;
  }
}

interface RealtimeMessage { snapshot?: { queues?: { queueId: string; today?: { kpiId: string; value: number }[] }[] } }

/** [queue, offered today] of each tile in a WatchRealtime message (no offered figure yet = 0). */
const offeredByQueue = (m: RealtimeMessage): [string, number][] =>
  (m.snapshot?.queues ?? []).map((q) => [q.queueId, q.today?.find((k) => k.kpiId === 'offered')?.value ?? 0]);

const QUEUE_LEAVES = new Set<string>([CallAnswered.type, CallAbandoned.type, CallQueueTimedOut.type]);

interface CanonicalEvent { type: string; data: { agentId?: string; current?: { status: string }; callId?: string; queueId?: string; queueVisit?: number } }

const sortedStats = (latencies: readonly number[]) => {
  const sorted = [...latencies].sort((a, b) => a - b);
  return { samples: sorted.length, p50Ms: percentile(sorted, 50), p90Ms: percentile(sorted, 90), p99Ms: percentile(sorted, 99), maxMs: sorted[sorted.length - 1] ?? Number.NaN };
};

const prefixed = (prefix: string, stats: Record<string, number>): Record<string, number> =>
  Object.fromEntries(Object.entries(stats).map(([k, v]) => [`${prefix}${k[0].toUpperCase()}${k.slice(1)}`, v]));

/** The PBX side in a forked process; resolves with its summary once it has stopped. */
function inChildProcess(config: PbxSourceConfig, onWritten: (w: Written) => void, stragglersMs: number): Promise<PbxSourceSummary> {
  const child = fork(path.join(__dirname, 'reporting-pbx-source.ts'), [JSON.stringify(config)], { execArgv: ['-r', '@swc-node/register'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    let summary: PbxSourceSummary | undefined;
    child.on('message', (m: ChildMessage) => {
      if (m.type === 'written') onWritten(m.written);
      else {
        summary = m.summary;
        setTimeout(() => child.send({ type: 'stop' }), stragglersMs);
      }
    });
    child.on('exit', (code) => (summary && code === 0 ? resolve(summary) : reject(new Error(`PBX source process exited with ${code}`))));
    child.send({ type: 'go' });
  });
}

async function inThisProcess(config: PbxSourceConfig, onWritten: (w: Written) => void, stragglersMs: number): Promise<PbxSourceSummary> {
  let summary: PbxSourceSummary | undefined;
  let stop: () => void = () => undefined;
  const stopped = new Promise<void>((r) => (stop = r));
  await runPbxSource(config, onWritten, Promise.resolve(), stopped, (s) => {
    summary = s;
    setTimeout(stop, stragglersMs);
  });
  return summary!;
}

/**
 * `rate` AMI frames per second written by the simulator (~0.29 canonical events per frame: 1,750 frames/s ≈ 500
 * canonical events/s).
 */
export async function runPbxFreshness(rate: number): Promise<BenchResult> {
  const infra = await ensureInfra();
  const suffix = randomUUID().replace(/-/g, '').slice(0, 10);
  const gwDb = `sb_bench_pbxf_gw_${suffix}`;
  const repDb = `sb_bench_pbxf_rep_${suffix}`;
  const gwUrl = await ensureDatabase(infra.postgresUrl, gwDb);
  const pool = new Pool({ connectionString: await ensureDatabase(infra.postgresUrl, repDb), max: 8 });
  // The production clients: the gateway's relay runs its producer in a worker thread as in the service.
  const kafka = createKafka('reporting-pbx-freshness-bench', infra.kafkaBrokers, { logLevel: logLevel.NOTHING });
  const overrides = { [Topics.telephonyCall.name]: `bench-pbxf-call-${suffix}`, [Topics.telephonyAgent.name]: `bench-pbxf-agent-${suffix}`,
    [Topics.telephonyPbxRaw.name]: `bench-pbxf-raw-${suffix}` };
  const topics = { call: [overrides[Topics.telephonyCall.name]], agent: [overrides[Topics.telephonyAgent.name]] };
  const all = [...Object.values(overrides), ...[...topics.call, ...topics.agent].map(deadLetterTopic)];
  const admin = kafka.admin();
  await admin.connect();
  const abort = new AbortController();
  const producer = createIdempotentProducer(kafka);
  const bare = kafka.consumer({ groupId: `bench-pbxf-bare-${suffix}` });
  const clock = new EventTimeClock(() => latestEventTime(pool));
  const stops: (() => Promise<unknown>)[] = [];
  try {
    await admin.createTopics({ waitForLeaders: true, topics: all.map((topic) => ({ topic, numPartitions: 6, replicationFactor: 1 })) });
    await migrateEventStore(pool);
    await migrateAgentDirectory(pool);
    await producer.connect();
    const host = await startProjections({ kafka, pool, deadLetterProducer: producer, topics, logger: { info: () => undefined } });
    stops.push(() => host.stop());
    await host.whenActive();
    // As the service runs (REPORTING_CLOCK=data, docs/adr/0008): "now" follows the PBX events' time.
    await clock.start(500, () => undefined);
    const now = () => clock.now();
    const secret = 'reporting-pbx-freshness-bench-secret-32b!';
    const reader = new ReportReader(pool, { timeZone: 'Asia/Shanghai', parameters: DEFAULT_KPI_PARAMETERS, now });
    const wallboard = await startWallboard({
      host: '127.0.0.1', port: 0, pool, auth: { key: { kind: 'hs256', secret } }, timeZone: 'Asia/Shanghai', pollMs: POLL_MS,
      reporting: { reader, teamOf: (tenant, ids) => teamsOf(pool, tenant, ids), teamRefs: (tenant, ids) => teamRefsOf(pool, tenant, ids), lag: async () => 0, now, clockRate: () => clock.rate() },
      stateLimitSeconds: { busy: 300, break: 600, meal: 1800 }, signInSnapshotTimes: ['09:00', '14:00', '20:00'], signInSnapshotGraceMinutes: 30, onError: () => undefined,
    });
    stops.push(() => wallboard.close());

    const onBoard = new PendingAnswers();
    const onKafka = new PendingAnswers();
    const boardLatency: number[] = [];
    const kafkaLatency: number[] = [];
    const shown = new Map<string, string>();
    let boardMessages = 0;
    const token = await mintDevToken({ secret, subject: 'bench', roles: ['director'], tenant: 'bench' });
    void readConnectStream<BoardMessage>(`${wallboard.url}switchboard.reporting.wallboard.v1.WallboardService/WatchAgentBoard`, token, {}, (m) => {
      const at = Date.now();
      boardMessages++;
      for (const a of m.agents ?? []) {
        if (a.state === 'on-call' && shown.get(a.agentId) !== 'on-call') {
          const written = onBoard.take(a.agentId, at);
          if (written !== undefined) boardLatency.push(at - written);
        }
        shown.set(a.agentId, a.state);
      }
    }, abort.signal).catch(() => undefined);
    const onTiles = new QueueLeaveCounter();
    const onKafkaLeaves = new QueueLeaveCounter();
    const tileLatency: number[] = [];
    const kafkaLeaveLatency: number[] = [];
    let tileMessages = 0;
    void readConnectStream<RealtimeMessage>(`${wallboard.url}switchboard.reporting.v1.ReportingService/WatchRealtime`, token, {}, (m) => {
      const at = Date.now();
      tileMessages++;
      for (const [queue, offered] of offeredByQueue(m)) tileLatency.push(...onTiles.shown(queue, offered, at));
    }, abort.signal).catch(() => undefined);
    const leftVisits = new Set<string>();
    const leavesSeen = new Map<string, number>();
    await bare.connect();
    await bare.subscribe({ topics: [...topics.agent, ...topics.call], fromBeginning: true });
    await bare.run({ eachMessage: async ({ message }) => {
      const at = Date.now();
      const e = JSON.parse(message.value!.toString()) as CanonicalEvent;
      if (e.type === AgentStateChanged.type && e.data.current?.status === 'on-call') {
        const written = onKafka.take(e.data.agentId!, at);
        if (written !== undefined) kafkaLatency.push(at - written);
      } else if (QUEUE_LEAVES.has(e.type) && e.data.queueId !== undefined) {
        // The tile counts visits, once each, whatever ended them.
        const visit = `${e.data.callId}|${e.data.queueVisit ?? 1}`;
        if (leftVisits.has(visit)) return;
        leftVisits.add(visit);
        const count = (leavesSeen.get(e.data.queueId) ?? 0) + 1;
        leavesSeen.set(e.data.queueId, count);
        kafkaLeaveLatency.push(...onKafkaLeaves.shown(e.data.queueId, count, at));
      }
    } });
    await sleep(2000); // stream open, bare consumer joined
    const source: PbxSourceConfig = { gatewayDatabaseUrl: gwUrl, kafkaBrokers: infra.kafkaBrokers, topicOverrides: overrides, scenario: SCENARIO, rate,
      warmupSeconds: WARMUP_SECONDS, seconds: SECONDS, suffix, relayProducerInWorker: process.env.GATEWAY_RELAY_IN_WORKER !== '0' };
    const onWritten = ({ answers, queueLeaves }: Written) => {
      for (const [agentId, at] of answers) {
        onBoard.add(agentId, at);
        onKafka.add(agentId, at);
      }
      for (const [queue, at, measured] of queueLeaves) {
        onTiles.written(queue, at, measured);
        onKafkaLeaves.written(queue, at, measured);
      }
    };
    const summary = GATEWAY_PROCESS === 'same' ? await inThisProcess(source, onWritten, 5000) : await inChildProcess(source, onWritten, 5000);
    const board = [...boardLatency].sort((a, b) => a - b);
    const floor = [...kafkaLatency].sort((a, b) => a - b);
    const tiles = sortedStats(tileLatency);
    const tilesFloor = sortedStats(kafkaLeaveLatency);
    const { sendSeconds } = summary;
    const p99 = percentile(board, 99);
    const met = (p: number, samples: number, written: number) => (p < 1000 && samples > 0.95 * written ? 'met' : 'MISSED');
    return {
      name: `reporting-wallboard-freshness-from-pbx-frame-${rate}-frames-per-s`,
      metrics: { amiFramesWrittenPerSecond: Math.round(summary.framesWritten / sendSeconds), amiFramesCommittedPerSecond: Math.round(summary.framesCommitted / sendSeconds),
        amiBytesPerSecond: Math.round(summary.bytesWritten / sendSeconds), canonicalEventsPerSecond: Math.round(summary.canonicalCommitted / sendSeconds),
        answersWritten: summary.answersWritten, samples: board.length, p50Ms: percentile(board, 50), p90Ms: percentile(board, 90), p99Ms: p99, maxMs: board[board.length - 1] ?? Number.NaN,
        boardMessages, queueLeavesWritten: summary.queueLeavesWritten, ...prefixed('tile', tiles), tileMessages,
        tileCountAheadOfWrites: onTiles.aheadOfWrites, tileQueuesOffAtEnd: onTiles.queuesOff() },
      baseline: { samples: floor.length, p50Ms: percentile(floor, 50), p90Ms: percentile(floor, 90), p99Ms: percentile(floor, 99), maxMs: floor[floor.length - 1] ?? Number.NaN,
        ...prefixed('tile', tilesFloor), tileCountAheadOfWrites: onKafkaLeaves.aheadOfWrites, tileQueuesOffAtEnd: onKafkaLeaves.queuesOff() },
      notes: `Scenario ${SCENARIO} (seed 1) paced at ${rate} AMI frames/s for ${SECONDS} s after a ${WARMUP_SECONDS} s warm-up, ` +
        `simulator → AMI → telephony gateway (startGateway, relay producer ${source.relayProducerInWorker ? 'in a worker thread' : 'on the main thread'}; ` +
        `${GATEWAY_PROCESS === 'same' ? 'in the same process as reporting' : 'simulator and gateway in their own process'}) → Kafka acks=all → ` +
        `reporting projections (chunk 500) → WatchAgentBoard over Connect (WALLBOARD_POLL_MS ${POLL_MS}, data clock, 1,000 agents on the board). ` +
        `Latency = answered call's frames written to the AMI socket → first board message showing the agent on-call (the oldest answer pending for that agent). ` +
        `Baseline column = the same answers seen as AgentStateChanged(on-call) by a bare consumer on the gateway's agent topic (the gateway's share). ` +
        `Queue tiles (tile*): the same run's ReportingService WatchRealtime over Connect (call facts, the tiles' read model); latency = frames of a caller leaving a queue ` +
        `(answered, abandoned or timed out) written to the AMI socket → first WatchRealtime message whose tile for that queue shows offered today ≥ k, k numbering that queue's leaves ` +
        `from the start of the simulated day; baseline tile* = the same leaves counted per visit (CallAnswered / CallAbandoned / CallQueueTimedOut) by the bare consumer on the call topic. ` +
        `tileCountAheadOfWrites and tileQueuesOffAtEnd must be 0 (the counter is the leaves'). ` +
        `Target p99 < 1000 ms: agent board ${met(p99, board.length, summary.answersWritten)}, queue tiles ${met(tiles.p99Ms, tiles.samples, summary.queueLeavesWritten)}.`,
    };
  } finally {
    abort.abort();
    clock.stop();
    await bare.disconnect().catch(() => undefined);
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
    await admin.deleteTopics({ topics: all }).catch(() => undefined);
    await admin.disconnect();
    await pool.end();
    await dropBenchDatabase(infra.postgresUrl, gwDb);
    await dropBenchDatabase(infra.postgresUrl, repDb);
  }
}

if (require.main === module) {
  runPbxFreshness(Number(process.env.REPORTING_PBX_RATE ?? 500)).then((r) => process.stdout.write(`${JSON.stringify(r, null, 2)}\n`), (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
    process.exitCode = 1;
  });
}
