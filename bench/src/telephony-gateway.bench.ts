/**
 * Telephony gateway: (1) sustained AMI → Kafka (acks=all) throughput with the simulator at maximum speed, next to a
 * bare idempotent kafkajs producer sending as many records of the same average size; (2) frame-received → on-Kafka
 * latency at 2,000 frames/s from a paced AMI source; (3) with `--soak-minutes N` (or GATEWAY_SOAK_MINUTES=N) also a soak
 * at 2,000 frames/s for N minutes sampling RSS/heap each minute and reporting their slope.
 * Run: node -r @swc-node/register bench/src/run-all.ts telephony-gateway [--soak-minutes 30]
 */
import { randomBytes, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { decodePbxRawFrame, Topics } from '@switchboard/contracts';
import { createIdempotentProducer, createKafka, migrateEventStore } from '@switchboard/eventsourcing';
import { ensureDatabase, ensureInfra } from '@switchboard/local-infra';
import { loadScenario, startSimulator } from '@switchboard/pbx-simulator';
import { startGateway, type GatewaySettings } from '@switchboard/telephony-gateway';
import { Kafka, logLevel } from 'kafkajs';
import { Pool } from 'pg';
import { dropBenchDatabase } from './bench-database';

interface BenchResult { name: string; metrics: Record<string, number>; baseline: Record<string, number>; notes: string }
const TARGET_PER_SECOND = 20_000;
/** Frames per second of the latency part and the soak (GATEWAY_LATENCY_RATE overrides it for diagnosis; the target is at 2,000/s). */
const LATENCY_RATE = Number(process.env.GATEWAY_LATENCY_RATE ?? 2_000);
const QUIET_MS = 3000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const logWarnings = (level: 'info' | 'warn', message: string, detail?: Record<string, unknown>) => {
  if (level === 'warn') process.stderr.write(`[gateway] ${message} ${JSON.stringify(detail ?? {})}\n`);
};

/** Gateway settings a variant changes, and SQL it runs once the gateway migrated (GATEWAY_AB compares two in one run). */
interface Variant { readonly settings?: Partial<Pick<GatewaySettings, 'packRawFrames' | 'pipeline'>>; readonly sql?: string }
const VARIANTS: Record<string, Variant> = {
  unpacked: { settings: { packRawFrames: false } },
  packed: { settings: { packRawFrames: true } },
  /** Packs with the outbox values TOASTed with Postgres's default compression (pglz), as before ADR 0012. */
  'packed-compressed': { settings: { packRawFrames: true }, sql: 'alter table es_outbox alter column value set storage extended' },
  /** Pipeline transactions of up to 2,000 items (default 500): a subject changed several times is written once per batch. */
  'batch-2000': { settings: { pipeline: { maxBatch: 2000 } } },
  /** The socket paused above 5,000 waiting frames (default 20,000): fewer parsed frames live long enough to be promoted. */
  'high-water-5000': { settings: { pipeline: { highWater: 5000 } } },
};

function settings(port: number, secret: string, pbxLinkId: string, variant: Variant = {}): GatewaySettings {
  return { tenant: 'bench', site: 'hq', callerHashKey: randomBytes(32).toString('hex'), executeRoutingDecisions: false,
    ami: { pbxLinkId, host: '127.0.0.1', port, username: 'switchboard', secret, keepaliveMs: 15_000, ringCycleMs: 5000, defaultDialedNumber: '0' }, ...variant.settings };
}

async function throughput(kafka: Kafka, pool: Pool, overrides: Record<string, string>, bareTopic: string, variant: Variant = {}) {
  const secret = 'bench';
  const scenario = { ...(await loadScenario(path.join(__dirname, '..', '..', 'tools', 'pbx-simulator', 'scenarios', 'peak-hour-1000-agents.json'))) };
  const sim = await startSimulator({ scenario, seed: 1, speed: 'max', amiPort: 0, amiSecret: secret, autoStart: false });
  const gw = await startGateway({ pool, kafka, settings: settings(sim.amiPort!, secret, `bench-${randomUUID().slice(0, 8)}`, variant), topicOverrides: overrides, relayName: `bench-${randomUUID()}`, log: logWarnings, relayProducerInWorker: relayProducerInWorker() });
  while (gw.links[0].status().state !== 'up' || sim.progress().amiClients === 0) await sleep(20);
  if (variant.sql !== undefined) await pool.query(variant.sql);
  const started = Date.now();
  const cpu = await cpuMeter(pool);
  sim.start();
  await sim.done;
  // Up to the simulator's send buffer (4 MiB) is still on its way when it is done, and the pipeline's backlog does
  // not count the batch in flight: the run ends when nothing moved for QUIET_MS and the outbox is empty; the clock
  // stops at the last movement.
  let seen = -1;
  let lastMove = Date.now();
  let maxBacklog = 0;
  for (;;) {
    maxBacklog = Math.max(maxBacklog, gw.links[0].status().backlog);
    const moved = gw.links[0].status().framesCommitted + gw.relay.published;
    if (moved !== seen) { seen = moved; lastMove = Date.now(); }
    else if (Date.now() - lastMove > QUIET_MS && gw.links[0].status().backlog === 0 && (await pool.query('select count(*)::int as n from es_outbox')).rows[0].n === 0) break;
    await sleep(20);
  }
  const seconds = (lastMove - started) / 1000;
  const status = gw.links[0].status();
  const records = gw.relay.published;
  const { processMs, postgresMs, kafkaMs } = await cpu.stop();
  await gw.stop();
  await sim.stop();
  const archive = await rawArchiveAudit(kafka, overrides[Topics.telephonyPbxRaw.name]);
  // Baseline: the same number of records of the same average size (AMI bytes per frame ≈ raw record) through a bare producer.
  const avgBytes = Math.max(200, Math.round(sim.progress().amiBytes / Math.max(1, status.framesCommitted)) + 300);
  const producer = createIdempotentProducer(kafka);
  await producer.connect();
  const value = randomBytes(avgBytes);
  const bareCpu = await cpuMeter(pool);
  const t0 = Date.now();
  for (let sent = 0; sent < records; sent += 2000) {
    const n = Math.min(2000, records - sent);
    await producer.send({ topic: bareTopic, acks: -1, messages: Array.from({ length: n }, (_, i) => ({ key: String((sent + i) % 64), value })) });
  }
  const bareSeconds = (Date.now() - t0) / 1000;
  const bareUsed = await bareCpu.stop();
  await producer.disconnect();
  return { records, frames: status.framesCommitted, canonical: status.canonicalCommitted, seconds, bareSeconds, avgBytes, maxBacklog,
    processCpuUsPerRecord: (processMs * 1000) / records, postgresCpuUsPerRecord: (postgresMs * 1000) / records, kafkaCpuUsPerRecord: (kafkaMs * 1000) / records,
    bareCpuUsPerRecord: ((bareUsed.processMs + bareUsed.kafkaMs) * 1000) / records, archive };
}

/**
 * CPU time spent on the run, which (unlike records/s) hardly depends on what else shares the machine: this process
 * (gateway, simulator, relay worker thread; all threads), the Postgres backends serving this database and the local
 * Kafka broker (every client's work on this machine: meaningful when nothing else runs), read from /proc (Linux; 0
 * elsewhere). Backends that end during the run are not counted.
 */
async function cpuMeter(pool: Pool): Promise<{ stop: () => Promise<{ processMs: number; postgresMs: number; kafkaMs: number }> }> {
  const backends = async () => (await pool.query<{ pid: number }>('select pid from pg_stat_activity where datname = current_database()')).rows.map((r) => r.pid);
  const ticks = (pid: number): number => {
    try {
      const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
      return Number(fields[11]) + Number(fields[12]); // utime + stime, in clock ticks (100/s)
    } catch { return Number.NaN; }
  };
  const before = new Map((await backends()).map((pid) => [pid, ticks(pid)]));
  const brokers = kafkaBrokerPids();
  const brokerBefore = brokers.map(ticks);
  const start = process.cpuUsage();
  return {
    stop: async () => {
      const used = process.cpuUsage(start);
      let postgresTicks = 0;
      for (const pid of await backends()) {
        const now = ticks(pid);
        if (Number.isFinite(now)) postgresTicks += now - (before.get(pid) ?? 0);
      }
      const kafkaTicks = brokers.reduce((n, pid, i) => n + (ticks(pid) - brokerBefore[i] || 0), 0);
      return { processMs: (used.user + used.system) / 1000, postgresMs: postgresTicks * 10, kafkaMs: kafkaTicks * 10 };
    },
  };
}

/**
 * Reads the run's raw-archive topic back: records, records whose event id was already seen (a batch published twice,
 * which consumers drop by id), and missing frame sequences between the first and the last (frames lost).
 */
async function rawArchiveAudit(kafka: Kafka, topic: string): Promise<{ records: number; duplicateIds: number; missingSequences: number }> {
  const consumer = kafka.consumer({ groupId: `bench-audit-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const ids = new Set<string>();
  const sequences = new Set<number>();
  let records = 0;
  let lastSeen = Date.now();
  await consumer.run({ eachBatch: async ({ batch }) => {
    for (const m of batch.messages) {
      const decoded = decodePbxRawFrame(m.value, m.headers ?? {});
      records++;
      if (decoded.ok) { ids.add(decoded.frame.id); sequences.add(decoded.frame.sequence); }
    }
    lastSeen = Date.now();
  } });
  while (Date.now() - lastSeen < 3000) await sleep(200);
  await consumer.disconnect();
  const ordered = [...sequences].sort((a, b) => a - b);
  const span = ordered.length === 0 ? 0 : ordered[ordered.length - 1] - ordered[0] + 1;
  return { records, duplicateIds: records - ids.size, missingSequences: span - ordered.length };
}

/** The local Kafka broker's JVM (`kafka.Kafka` main class), from /proc; none when Kafka runs elsewhere. */
function kafkaBrokerPids(): number[] {
  try {
    return fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number).filter((pid) => {
      try { return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('kafka.Kafka'); } catch { return false; }
    });
  } catch { return []; }
}

/** A minimal AMI server: banner, plain login, then `UserEvent` frames at a fixed rate, each stamped with its send time. */
async function pacedAmi(rate: number, count: number): Promise<{ port: number; run: () => Promise<void>; close: () => void }> {
  let client: net.Socket | null = null;
  const server = net.createServer((s) => {
    client = s;
    s.write('Asterisk Call Manager/5.0.1\r\n');
    let buf = '';
    s.on('data', (d) => {
      buf += d.toString();
      let i: number;
      while ((i = buf.indexOf('\r\n\r\n')) >= 0) {
        const id = /ActionID: (\S+)/.exec(buf.slice(0, i))?.[1] ?? '';
        buf = buf.slice(i + 4);
        s.write(`Response: Success\r\nActionID: ${id}\r\nMessage: ok\r\n\r\n`);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const run = async () => {
    const started = Date.now();
    for (let i = 0; i < count; i++) {
      const due = started + (i * 1000) / rate;
      if (due > Date.now()) await sleep(due - Date.now());
      client!.write(`Event: UserEvent\r\nUserEvent: bench\r\nSeq: ${i}\r\nSentAt: ${Date.now()}\r\n\r\n`);
    }
  };
  return { port: (server.address() as net.AddressInfo).port, run, close: () => { client?.destroy(); server.close(); } };
}

/** Latencies in 1 ms buckets: constant memory however long the run (the soak measures this process's memory). */
class LatencyHistogram {
  private readonly buckets = new Uint32Array(60_001);
  count = 0;
  add(ms: number): void { this.buckets[Math.max(0, Math.min(this.buckets.length - 1, Math.round(ms)))]++; this.count++; }
  percentile(p: number): number {
    const rank = Math.min(this.count - 1, Math.floor(p * this.count));
    let seen = 0;
    for (let ms = 0; ms < this.buckets.length; ms++) if ((seen += this.buckets[ms]) > rank) return ms;
    return Number.NaN;
  }
}

interface MemorySample { minute: number; rssMb: number; heapMb: number; outboxRows: number }

/** Paced UserEvent frames through a fresh gateway for `seconds`, frame sent → seen on the raw topic; `sample` runs each minute. */
async function latency(kafka: Kafka, pool: Pool, overrides: Record<string, string>, seconds: number, sample?: (minute: number) => Promise<void>) {
  const count = LATENCY_RATE * seconds;
  const ami = await pacedAmi(LATENCY_RATE, count);
  const gw = await startGateway({ pool, kafka, settings: settings(ami.port, 'x', `bench-lat-${randomUUID().slice(0, 8)}`, latencyVariant()), topicOverrides: overrides, relayName: `bench-lat-${randomUUID()}`, log: logWarnings, relayProducerInWorker: relayProducerInWorker() });
  while (gw.links[0].status().state !== 'up') await sleep(20);
  const consumer = kafka.consumer({ groupId: `bench-lat-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topic: overrides[Topics.telephonyPbxRaw.name], fromBeginning: false });
  const latencies = new LatencyHistogram();
  await consumer.run({ eachMessage: async ({ message }) => {
    const decoded = decodePbxRawFrame(message.value, message.headers ?? {}); // v2: the frame is base64 inside a JSON CloudEvent
    const sent = decoded.ok ? /SentAt: (\d+)/.exec(decoded.frame.payload.toString('latin1')) : null;
    if (sent) latencies.add(Date.now() - Number(sent[1]));
  } });
  await sleep(3000);
  const started = Date.now();
  let minute = 0;
  const sampler = sample === undefined ? undefined : setInterval(() => void sample(++minute), 60_000);
  await ami.run();
  const deadline = Date.now() + 30_000;
  while (latencies.count < count && Date.now() < deadline) await sleep(100);
  if (sampler) clearInterval(sampler);
  if (sample && minute < Math.ceil(seconds / 60)) await sample(++minute); // the last minute, before the gateway stops
  const wallSeconds = (Date.now() - started) / 1000;
  await consumer.disconnect();
  await gw.stop();
  ami.close();
  return { latencies, wallSeconds };
}

/** Least-squares slope of y over x. */
function slope(points: readonly (readonly [number, number])[]): number {
  const n = points.length;
  if (n < 2) return Number.NaN;
  const mx = points.reduce((a, [x]) => a + x, 0) / n;
  const my = points.reduce((a, [, y]) => a + y, 0) / n;
  const sxy = points.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0);
  const sxx = points.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  return sxy / sxx;
}

async function soak(kafka: Kafka, pool: Pool, overrides: Record<string, string>, minutes: number): Promise<BenchResult> {
  const samples: MemorySample[] = [];
  // Run node with --expose-gc to sample after a full collection: the heap then shows what is retained, not the sawtooth.
  const collect = (globalThis as { gc?: () => void }).gc;
  const take = async (minute: number) => {
    collect?.();
    const m = process.memoryUsage();
    const outboxRows = (await pool.query('select count(*)::int as n from es_outbox')).rows[0].n as number;
    samples.push({ minute, rssMb: m.rss / 2 ** 20, heapMb: m.heapUsed / 2 ** 20, outboxRows });
    process.stderr.write(`[soak] minute ${minute}: rss ${(m.rss / 2 ** 20).toFixed(1)} MB, heap ${(m.heapUsed / 2 ** 20).toFixed(1)} MB, outbox rows ${outboxRows}\n`);
  };
  await migrateEventStore(pool); // the gateway would do it on start; minute 0 already counts outbox rows
  await take(0);
  const { latencies, wallSeconds } = await latency(kafka, pool, overrides, minutes * 60, take);
  // The first minute is warm-up (JIT, pools, buffers): the slope is taken over minutes 1..N.
  const steady = samples.filter((s) => s.minute >= 1);
  const rssSlope = slope(steady.map((s) => [s.minute, s.rssMb]));
  const heapSlope = slope(steady.map((s) => [s.minute, s.heapMb]));
  const last = samples[samples.length - 1];
  return {
    name: 'telephony-gateway-soak',
    metrics: { minutes, framesPerSecond: Math.round(latencies.count / wallSeconds), rssSlopeMbPerMinute: Number(rssSlope.toFixed(3)), heapSlopeMbPerMinute: Number(heapSlope.toFixed(3)),
      rssFirstMinuteMb: Math.round(steady[0]?.rssMb ?? Number.NaN), rssLastMb: Math.round(last.rssMb), heapLastMb: Math.round(last.heapMb), maxOutboxRows: Math.max(...samples.map((s) => s.outboxRows)),
      latencyP50Ms: latencies.percentile(0.5), latencyP99Ms: latencies.percentile(0.99), latencySamples: latencies.count },
    baseline: {},
    notes: `${LATENCY_RATE} UserEvent frames/s for ${minutes} min through one gateway (same process as the paced AMI source and the measuring consumer); ` +
      `RSS/heapUsed sampled each minute (${collect === undefined ? 'no forced GC' : 'after a forced full GC'}), slope by least squares over minutes 1..${minutes} (minute 0 = before start). ` +
      `Samples (minute: rss/heap MB, outbox rows): ${samples.map((s) => `${s.minute}: ${s.rssMb.toFixed(0)}/${s.heapMb.toFixed(0)}, ${s.outboxRows}`).join('; ')}.`,
  };
}

/** `--soak-minutes N` on the command line, or GATEWAY_SOAK_MINUTES=N; 0 = no soak. */
function soakMinutes(): number {
  const i = process.argv.indexOf('--soak-minutes');
  const value = i >= 0 ? process.argv[i + 1] : process.env.GATEWAY_SOAK_MINUTES;
  const minutes = value === undefined ? 0 : Number(value);
  if (!Number.isFinite(minutes) || minutes < 0) throw new Error(`--soak-minutes / GATEWAY_SOAK_MINUTES: expected a number of minutes, got ${value}`);
  return minutes;
}

/**
 * Which parts run: GATEWAY_BENCH=latency or =throughput runs that part alone (quick A/B runs); GATEWAY_SOAK_ONLY=1
 * with a soak runs the soak alone; by default both parts, then the soak if asked for.
 */
function benchParts(minutes: number): { throughput: boolean; latency: boolean } {
  const only = process.env.GATEWAY_BENCH;
  if (only !== undefined && only !== 'latency' && only !== 'throughput') throw new Error(`GATEWAY_BENCH: expected latency or throughput, got ${only}`);
  if (minutes > 0 && process.env.GATEWAY_SOAK_ONLY === '1') return { throughput: false, latency: false };
  return { throughput: only !== 'latency', latency: only !== 'throughput' };
}

/** GATEWAY_LATENCY_VARIANT=<name from VARIANTS>: the latency part (and the soak) with that variant, for A/B runs in turn. */
function latencyVariant(): Variant {
  const name = process.env.GATEWAY_LATENCY_VARIANT;
  if (name === undefined) return {};
  if (!(name in VARIANTS)) throw new Error(`GATEWAY_LATENCY_VARIANT: expected one of ${Object.keys(VARIANTS).join(', ')}, got ${name}`);
  return VARIANTS[name];
}

/** GATEWAY_RELAY_IN_WORKER=0 keeps the relay's producer on the gateway's thread (A/B of the worker thread). */
function relayProducerInWorker(): boolean {
  return process.env.GATEWAY_RELAY_IN_WORKER !== '0';
}

/** GATEWAY_LATENCY_SECONDS=N: how long the latency part sends (default 10 s). */
function latencySeconds(): number {
  const value = process.env.GATEWAY_LATENCY_SECONDS;
  const seconds = value === undefined ? 10 : Number(value);
  if (!Number.isInteger(seconds) || seconds < 1) throw new Error(`GATEWAY_LATENCY_SECONDS: expected a whole number of seconds, got ${value}`);
  return seconds;
}

function latencyOnly(lat: LatencyHistogram): BenchResult {
  return {
    name: 'telephony-gateway-latency', metrics: { latencyP50Ms: lat.percentile(0.5), latencyP90Ms: lat.percentile(0.9), latencyP99Ms: lat.percentile(0.99), latencySamples: lat.count },
    baseline: {}, notes: `${LATENCY_RATE} UserEvent frames/s from a paced AMI server, frame sent → seen by a Kafka consumer on the raw topic. Target p99 < 50 ms.`,
  };
}

/**
 * GATEWAY_AB=<a>,<b>[,…] (names from VARIANTS) runs the throughput part with each variant in turn, GATEWAY_AB_ROUNDS
 * times (default 2: a b a b), in one process against one database: the comparison on a shared machine. Compare the
 * CPU per record (this process + its Postgres backends) more than records/s, which follows the machine's load.
 */
function abVariants(): string[] | null {
  const value = process.env.GATEWAY_AB;
  if (value === undefined) return null;
  const names = value.split(',');
  if (names.length < 2 || !names.every((n) => n in VARIANTS)) throw new Error(`GATEWAY_AB: expected two or more of ${Object.keys(VARIANTS).join(', ')} separated by commas, got ${value}`);
  return names;
}

async function throughputAb(kafka: Kafka, pool: Pool, overrides: Record<string, string>, bare: string, names: readonly string[]): Promise<BenchResult[]> {
  const rounds = Number(process.env.GATEWAY_AB_ROUNDS ?? 2);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`GATEWAY_AB_ROUNDS: expected a whole number >= 1, got ${process.env.GATEWAY_AB_ROUNDS}`);
  const results: BenchResult[] = [];
  for (let round = 1; round <= rounds; round++) {
    for (const name of names) {
      const t = await throughput(kafka, pool, overrides, bare, VARIANTS[name]);
      const perSecond = t.records / t.seconds;
      const bareRate = t.records / t.bareSeconds;
      process.stderr.write(`[ab] round ${round} ${name}: ${Math.round(perSecond)} records/s, bare ${Math.round(bareRate)}/s, ratio ${(perSecond / bareRate).toFixed(3)}, ` +
        `CPU per record: process ${t.processCpuUsPerRecord.toFixed(1)} µs, postgres ${t.postgresCpuUsPerRecord.toFixed(1)} µs, max backlog ${t.maxBacklog} (load ${os.loadavg()[0].toFixed(1)})\n`);
      results.push({ name: `telephony-gateway ${name} #${round}`, metrics: { kafkaRecordsPerSecond: Math.round(perSecond), framesPerSecond: Math.round(t.frames / t.seconds), records: t.records, ratioToBareProducer: Number((perSecond / bareRate).toFixed(3)),
        processCpuUsPerRecord: Number(t.processCpuUsPerRecord.toFixed(1)), postgresCpuUsPerRecord: Number(t.postgresCpuUsPerRecord.toFixed(1)) },
        baseline: { kafkaRecordsPerSecond: Math.round(bareRate) }, notes: `A/B ${names.join(' vs ')}, round ${round}: ${JSON.stringify(VARIANTS[name])}` });
    }
  }
  return results;
}

export async function runTelephonyGatewayBench(): Promise<BenchResult[]> {
  const minutes = soakMinutes();
  const infra = await ensureInfra();
  const dbName = `sb_bench_gw_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
  const pool = new Pool({ connectionString: await ensureDatabase(infra.postgresUrl, dbName), max: 6 });
  // The production client (createKafka): the gateway's relay then runs its producer in a worker thread, as in the service.
  const kafka = createKafka('gateway-bench', infra.kafkaBrokers, { logLevel: logLevel.NOTHING });
  const suffix = dbName.slice(-10);
  const overrides = { [Topics.telephonyCall.name]: `bench-gw-call-${suffix}`, [Topics.telephonyAgent.name]: `bench-gw-agent-${suffix}`, [Topics.telephonyPbxRaw.name]: `bench-gw-raw-${suffix}` };
  const bare = `bench-gw-bare-${suffix}`;
  const all = [...Object.values(overrides), bare];
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ waitForLeaders: true, topics: all.map((topic) => ({ topic, numPartitions: 6, replicationFactor: 1 })) });
    const ab = abVariants();
    if (ab !== null) return await throughputAb(kafka, pool, overrides, bare, ab);
    const parts = benchParts(minutes);
    const t = parts.throughput ? await throughput(kafka, pool, overrides, bare) : null;
    const lat = parts.latency ? (await latency(kafka, pool, overrides, latencySeconds())).latencies : null;
    const soaked = minutes > 0 ? [await soak(kafka, pool, overrides, minutes)] : [];
    if (t === null && lat !== null) return [latencyOnly(lat), ...soaked];
    if (t === null) return soaked;
    const perSecond = t.records / t.seconds;
    const latencyMetrics: Record<string, number> = lat === null ? {} : { latencyP50Ms: lat.percentile(0.5), latencyP99Ms: lat.percentile(0.99), latencySamples: lat.count };
    return [{
      name: 'telephony-gateway',
      metrics: { kafkaRecordsPerSecond: Math.round(perSecond), canonicalEventsPerSecond: Math.round(t.canonical / t.seconds), framesPerSecond: Math.round(t.frames / t.seconds),
        records: t.records, ratioToBareProducer: Number((perSecond / (t.records / t.bareSeconds)).toFixed(3)),
        processCpuUsPerRecord: Number(t.processCpuUsPerRecord.toFixed(1)), postgresCpuUsPerRecord: Number(t.postgresCpuUsPerRecord.toFixed(1)),
        kafkaBrokerCpuUsPerRecord: Number(t.kafkaCpuUsPerRecord.toFixed(1)),
        // Read back from the raw-archive topic: duplicates (consumers drop them by id) and frames missing.
        rawArchiveRecords: t.archive.records, rawArchiveDuplicateIds: t.archive.duplicateIds, rawArchiveMissingSequences: t.archive.missingSequences,
        // What two cores could carry if nothing but these three ran and they used the cores fully.
        twoCoreCeilingRecordsPerSecond: Math.round(2e6 / (t.processCpuUsPerRecord + t.postgresCpuUsPerRecord + t.kafkaCpuUsPerRecord)),
        ...latencyMetrics },
      baseline: { bareProducerRecordsPerSecond: Math.round(t.records / t.bareSeconds), recordBytes: t.avgBytes,
        bareProcessAndBrokerCpuUsPerRecord: Number(t.bareCpuUsPerRecord.toFixed(1)) },
      notes: `Peak hour (1,000 agents) at simulator max speed → AMI → parser/state machines → Postgres outbox (raw frame + canonical events per transaction) → relay → Kafka acks=all; ` +
        `records = raw-archive frames + canonical events. Target ${TARGET_PER_SECOND}/s. Latency: ${LATENCY_RATE} UserEvent frames/s for ${latencySeconds()} s from a paced AMI server, ` +
        `frame sent → seen by a Kafka consumer on the raw topic (an upper bound of frame received → Kafka ack). Target p99 < 50 ms.`,
    }, ...soaked];
  } finally {
    await admin.deleteTopics({ topics: all }).catch(() => undefined);
    await admin.disconnect();
    // A run that failed leaves its gateway's connections open: dropping the database ends them, which must not crash
    // the process with an unhandled pool error and hide the failure that got here.
    pool.on('error', () => undefined);
    await pool.end();
    await dropBenchDatabase(infra.postgresUrl, dbName);
  }
}

if (require.main === module) {
  runTelephonyGatewayBench()
    .then((r) => { process.stdout.write(`${JSON.stringify(r, null, 2)}\n`); })
    .catch((error: unknown) => { process.stderr.write(`${String(error)}\n`); process.exitCode = 1; });
}
