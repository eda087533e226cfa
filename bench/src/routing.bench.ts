/**
 * (1) Routing decision latency in-process: 2,000 agents, 100 skills, 500 waiting calls, steady traffic (agents freeing
 * up, calls arriving, overflow by time). The indexed engine runs first and records its inputs; the naive full-scan
 * matcher then replays exactly those inputs in the same process, and both decision streams must agree.
 * (2) Closed-loop latency at 50 new calls/s: simulator (external routing, own process like a real PBX; LOOP_SIMULATOR=
 * in-process puts it on the gateway's event loop) → gateway → Kafka → routing (own process) → Kafka → gateway → AMI
 * Redirect applied, measured at the PBX (caller queued → Redirect applied), with the gateway's own
 * `CallAssignmentExecuted.queuedToExecutedMs` beside it; next to the bare Kafka round trip over the same two hops
 * (producer → consumer → producer → consumer) at the same rate.
 * (3) The routing hop alone at the same rate (gateway left out, synthetic gateway events), next to the same baseline.
 * Run directly: node -r @swc-node/register bench/src/routing.bench.ts [decision|closed-loop|hop]
 */
import { randomBytes, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Kafka, logLevel } from 'kafkajs';
import { Pool } from 'pg';
import {
  AgentLoggedIn, AgentStateChanged, CallAnswered, CallAssignedToAgent, CallAssignmentExecuted, CallQueued, CallReleased, Topics, createEnvelope, decode, dlqTopicOf,
  systemEnvelopeDeps, toKafkaRecord, type AnyEvent, type DataOf, type EventDefinition,
} from '@switchboard/contracts';
import { createIdempotentProducer } from '@switchboard/eventsourcing';
import { ensureDatabase, ensureInfra } from '@switchboard/local-infra';
import { simpleQueue, simpleScenario } from '@switchboard/pbx-simulator';
import { startGateway } from '@switchboard/telephony-gateway';
import { createTopics, killWorkers, spawnWorker } from '@switchboard/testing';
import { dropBenchDatabase } from './bench-database';
import { inProcessPbx, ownProcessPbx } from './loop-pbx';
import {
  answerOffers, NaiveMatcher, nextTraffic, populationInputs, RoutingEngine, seededRandom,
  type LoadShape, type RoutingDecision, type RoutingInput,
} from '@switchboard/routing';
import type { BenchResult } from './pbx-simulator.bench';
import { startGatewayLatencyTrace } from '@switchboard/telephony-gateway/src/test-support/latency-trace';

const SHAPE: LoadShape = { agents: 2_000, skills: 100, queues: 200, waitingCalls: 500, seed: 42 };
const WARMUP_TICKS = 3_000;
const MEASURED_TICKS = 20_000;
const TICK_MS = 50;
const TARGET_P99_MS = 1;
const TARGET_PER_SECOND = 5_000;

/** Inputs after which the router decides something (a freed agent, an arriving call); the rest is bookkeeping. */
const isDecisionPoint = (i: RoutingInput) => i.type === 'AgentBecameReady' || i.type === 'CallQueued';

interface Run {
  latenciesMs: number[];
  decisions: RoutingDecision[];
  waitingSamples: number[];
}

function timed(engine: RoutingEngine, input: RoutingInput, run: Run, measure: boolean): void {
  const start = performance.now();
  const out = engine.handle(input);
  const elapsed = performance.now() - start;
  if (measure && isDecisionPoint(input)) run.latenciesMs.push(elapsed);
  if (measure) run.decisions.push(...out);
}

/** The indexed engine drives the traffic; returns its run and the recorded inputs (with a measure flag each). */
function runIndexed(): { run: Run; script: [RoutingInput, boolean][] } {
  const engine = new RoutingEngine();
  const run: Run = { latenciesMs: [], decisions: [], waitingSamples: [] };
  const { inputs, at: start } = populationInputs(SHAPE);
  const script: [RoutingInput, boolean][] = inputs.map((i) => [i, false]);
  inputs.forEach((i) => engine.handle(i));
  const rnd = seededRandom(SHAPE.seed + 1);
  for (let tick = 0, at = start; tick < WARMUP_TICKS + MEASURED_TICKS; tick++, at += TICK_MS) {
    const measure = tick >= WARMUP_TICKS;
    for (const input of nextTraffic(engine, rnd, SHAPE, at, tick)) {
      script.push([input, measure]);
      timed(engine, input, run, measure);
    }
    for (const input of answerOffers(engine, at)) {
      script.push([input, false]);
      engine.handle(input);
    }
    if (measure) run.waitingSamples.push(engine.book.calls.size);
  }
  return { run, script };
}

function runNaive(script: [RoutingInput, boolean][]): Run {
  const engine = new RoutingEngine((v) => new NaiveMatcher(v));
  const run: Run = { latenciesMs: [], decisions: [], waitingSamples: [] };
  for (const [input, measure] of script) timed(engine, input, run, measure);
  return run;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];

function stats(run: Run): Record<string, number> {
  const sorted = [...run.latenciesMs].sort((a, b) => a - b);
  const total = run.latenciesMs.reduce((a, b) => a + b, 0);
  const round = (x: number, d = 4) => Number(x.toFixed(d));
  return {
    decisions: sorted.length,
    p50_ms: round(percentile(sorted, 0.5)), p99_ms: round(percentile(sorted, 0.99)), max_ms: round(sorted[sorted.length - 1]),
    decisions_per_s: Math.round(sorted.length / (total / 1000)),
    assignments: run.decisions.filter((d) => d.type === 'CallAssigned').length,
    overflows: run.decisions.filter((d) => d.type === 'CallOverflowed').length,
  };
}

const winners = (ds: RoutingDecision[]) => ds.map((d) => (d.type === 'CallAssigned' ? `${d.data.callId}>${d.data.agentId}` : `${d.type}:${d.data.callId}`));

export async function runRoutingBench(): Promise<BenchResult> {
  const { run: indexed, script } = runIndexed();
  const naive = runNaive(script);
  const mismatches = countMismatches(winners(indexed.decisions), winners(naive.decisions));
  const metrics = stats(indexed);
  const baseline = stats(naive);
  const avgWaiting = Math.round(indexed.waitingSamples.reduce((a, b) => a + b, 0) / indexed.waitingSamples.length);
  const notes = [
    `${SHAPE.agents} agents, ${SHAPE.skills} skills, ${SHAPE.queues} queues, ~${avgWaiting} calls waiting on average (target ${SHAPE.waitingCalls}).`,
    `Latency = one engine.handle() of a freed agent or an arriving call, index upkeep and due overflows included.`,
    `Indexed vs naive full scan: p99 ${ratio(baseline.p99_ms, metrics.p99_ms)}x lower, ${ratio(metrics.decisions_per_s, baseline.decisions_per_s)}x more decisions/s.`,
    `Targets: p99 < ${TARGET_P99_MS} ms (${metrics.p99_ms < TARGET_P99_MS ? 'met' : 'MISSED'}), >= ${TARGET_PER_SECOND}/s (${metrics.decisions_per_s >= TARGET_PER_SECOND ? 'met' : 'MISSED'}).`,
    `Decision streams of the two matchers: ${mismatches} mismatches over ${indexed.decisions.length} decisions.`,
  ].join(' ');
  return { name: 'routing-decision-latency', metrics, baseline, notes };
}

const ratio = (a: number, b: number) => (b === 0 ? 'inf' : (a / b).toFixed(1));

function countMismatches(a: string[], b: string[]): number {
  let n = Math.abs(a.length - b.length);
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) n++;
  return n;
}

// ─────────────────────────────── closed loop ───────────────────────────────

/** New calls per wall second (ROUTING_LOOP_RATE overrides it to find where the loop stops keeping up). */
const LOOP_CALLS_PER_SECOND = Number(process.env.ROUTING_LOOP_RATE ?? 50);
const LOOP_SPEED = 10;
const LOOP_SECONDS = 40;
const LOOP_WARMUP_SECONDS = 5;
const LOOP_TALK_SECONDS = 20;
/** Twice the agents the offered load keeps busy (50/s × 20 s simulated / speed 10 = 100), so calls are assigned on arrival. */
const LOOP_AGENTS = 200;
const LOOP_TARGET_P99_MS = 100;
const ROOT = path.join(__dirname, '..', '..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function readRecords(kafka: Kafka, topic: string, idleMs = 3000): Promise<{ value: Buffer; timestamp: number }[]> {
  const consumer = kafka.consumer({ groupId: `bench-read-${randomUUID()}` });
  const out: { value: Buffer; timestamp: number }[] = [];
  let last = Date.now();
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => { out.push({ value: message.value!, timestamp: Number(message.timestamp) }); last = Date.now(); } });
  while (Date.now() - last < idleMs) await sleep(200);
  await consumer.disconnect();
  return out;
}

const decodedEvents = (records: { value: Buffer; timestamp: number }[]) =>
  records.flatMap((r) => { const d = decode(r.value); return d.status === 'event' ? [{ event: d.event, timestamp: r.timestamp }] : []; });

/**
 * Where the loop's time goes, per executed assignment (all clocks are this machine's): the gateway's QueueCallerJoin →
 * its CallQueued record produced (gateway pipeline + relay); → routing applied the CallQueued (consumer fetch and
 * queueing; the journal's wall_ms); → routing decided the assignment (waiting for a free agent, ~0 on arrival); → the
 * assignment record produced (routing's chunk commit + outbox relay); → the gateway claimed it (its assignment consumer); → the PBX accepted the Redirect and the outcome was settled.
 */
async function loopSegments(kafka: Kafka, pool: Pool, routingDbUrl: string, topics: Record<'call' | 'agent' | 'assignment', string>, warmupShare: number) {
  const calls = decodedEvents(await readRecords(kafka, topics.call));
  const queuedRecordAt = new Map<string, number>();
  for (const { event, timestamp } of calls) if (event.type === CallQueued.type && !queuedRecordAt.has(event.data.callId)) queuedRecordAt.set(event.data.callId, timestamp);
  const assignedRecordAt = new Map(decodedEvents(await readRecords(kafka, topics.assignment)).map(({ event, timestamp }) => [event.id, timestamp]));
  const routingDb = new Pool({ connectionString: routingDbUrl, max: 1 });
  const applied = new Map((await routingDb.query<{ call_id: string; wall_ms: string }>(`select input->>'callId' as call_id, min(wall_ms) as wall_ms
    from routing_input_journal where input->>'type' = 'CallQueued' group by 1`)).rows.map((r) => [r.call_id, Number(r.wall_ms)]));
  // When each published assignment was decided: its decision row's transaction start (recorded_at = now()).
  const decided = new Map((await routingDb.query<{ event_id: string; ms: string }>(`select o.event_id, extract(epoch from e.recorded_at) * 1000 as ms
    from routing_offer_events o join es_events e on e.event_type = 'CallAssigned' and (e.data->'data'->>'offerSeq')::bigint = o.offer_seq`)).rows
    .map((r) => [r.event_id, Number(r.ms)]));
  const journal = (await routingDb.query<{ n: number }>('select count(*)::int as n from routing_input_journal')).rows[0].n;
  await routingDb.end();
  const rows = (await pool.query<{ event_id: string; call_id: string; queued: number; received: number; finished: number }>(`select event_id, call_id,
      extract(epoch from queued_at) * 1000 as queued, extract(epoch from received_at) * 1000 as received, extract(epoch from finished_at) * 1000 as finished
    from gw_assignment_executions where status = 'executed' and queued_at is not null order by finished_at`)).rows;
  const spans: Record<string, number[]> = { gw_ingest: [], routing_in: [], routing_wait: [], routing_relay: [], gw_consume: [], gw_execute: [] };
  const perCall: Record<string, number | string>[] = [];
  for (const r of rows.slice(Math.floor(rows.length * warmupShare))) {
    const [queued, received, finished] = [Number(r.queued), Number(r.received), Number(r.finished)];
    const [published, routed, decidedAt, assigned] = [queuedRecordAt.get(r.call_id), applied.get(r.call_id), decided.get(r.event_id), assignedRecordAt.get(r.event_id)];
    if (published === undefined || routed === undefined || decidedAt === undefined || assigned === undefined) continue;
    spans.gw_ingest.push(published - queued);
    spans.routing_in.push(routed - published);
    // Waiting for a free agent (0 when assigned on arrival; the decision's transaction may start a little earlier).
    spans.routing_wait.push(Math.max(0, decidedAt - routed));
    spans.routing_relay.push(assigned - Math.max(decidedAt, routed));
    spans.gw_consume.push(received - assigned);
    spans.gw_execute.push(finished - received);
    perCall.push({ call: r.call_id, event: r.event_id, total: finished - queued, gw_ingest: published - queued, routing_in: routed - published, routing_wait: Math.max(0, decidedAt - routed),
      routing_relay: assigned - Math.max(decidedAt, routed), gw_consume: received - assigned, gw_execute: finished - received, queued });
  }
  // LOOP_SPANS_FILE: every call's segments, to see which hop the slowest calls lost their time in.
  if (process.env.LOOP_SPANS_FILE) fs.writeFileSync(process.env.LOOP_SPANS_FILE, perCall.map((c) => JSON.stringify(c)).join('\n'));
  const window = (await pool.query<{ n: number; s: number }>(`select count(*)::int as n, extract(epoch from max(finished_at) - min(received_at)) as s
    from gw_assignment_executions where finished_at is not null`)).rows[0];
  const out: Record<string, number> = { journal_inputs: journal, telephony_events: calls.length,
    gw_assignments_per_s: Number((window.n / Number(window.s)).toFixed(1)), assigned_on_arrival_share: 0 };
  // Stalls show as one slow window: queued → row settled, p99 per 5 s of the run (by settle time).
  const firstFinished = Number(rows[0]?.finished ?? 0);
  const windows = new Map<number, number[]>();
  for (const r of rows) {
    const w = Math.floor((Number(r.finished) - firstFinished) / 5000);
    windows.set(w, [...(windows.get(w) ?? []), Number(r.finished) - Number(r.queued)]);
  }
  for (const [w, xs] of windows) out[`settled_p99_ms_window_${w * 5}s`] = Math.round(percentile(xs.sort((a, b) => a - b), 0.99));
  // Claim to claim: the gap between consecutive claims (0 within one claimed fetch). Settled to next claim: negative
  // when the gateway claims while earlier assignments are still being carried out (it executes calls concurrently).
  const claims = (await pool.query<{ received: number; finished: number }>(`select extract(epoch from received_at) * 1000 as received, extract(epoch from finished_at) * 1000 as finished
    from gw_assignment_executions where finished_at is not null order by received_at`)).rows.map((r) => [Number(r.received), Number(r.finished)]);
  const gaps = { gw_claim_to_claim: [] as number[], gw_settled_to_next_claim: [] as number[] };
  for (let i = 1; i < claims.length; i++) {
    gaps.gw_claim_to_claim.push(claims[i][0] - claims[i - 1][0]);
    gaps.gw_settled_to_next_claim.push(claims[i][0] - claims[i - 1][1]);
  }
  Object.assign(spans, gaps);
  out.assigned_on_arrival_share = Number((spans.routing_wait.filter((ms) => ms < 50).length / Math.max(1, spans.routing_wait.length)).toFixed(3));
  for (const [name, xs] of Object.entries(spans)) {
    xs.sort((a, b) => a - b);
    out[`${name}_p50_ms`] = Math.round(percentile(xs, 0.5) ?? NaN);
    out[`${name}_p99_ms`] = Math.round(percentile(xs, 0.99) ?? NaN);
  }
  return out;
}

/** The loop: returns queuedToExecutedMs of every executed assignment after the warm-up, and how many failed. */
async function closedLoop(kafka: Kafka, brokers: string[], pool: Pool, routingDbUrl: string, topics: Record<'call' | 'agent' | 'assignment', string>) {
  const secret = randomBytes(8).toString('hex');
  const scenario = simpleScenario({
    durationHours: (LOOP_SECONDS * LOOP_SPEED) / 3600,
    queues: [simpleQueue({ arrivals: { kind: 'constant', callsPerHour: (LOOP_CALLS_PER_SECOND / LOOP_SPEED) * 3600 }, talk: { kind: 'fixed', value: LOOP_TALK_SECONDS } })],
  }, LOOP_AGENTS);
  const groupPrefix = `bench-routing-${randomUUID().slice(0, 8)}`;
  // ROUTING_WORKER: another build's worker fixture, as in the hop bench.
  spawnWorker(process.env.ROUTING_WORKER ?? path.join(ROOT, 'services/routing/test/fixtures/routing-worker.ts'), {
    DATABASE_URL: routingDbUrl, KAFKA_BROKERS: brokers.join(','), ASSIGNMENT_TOPIC: topics.assignment, GROUP_PREFIX: groupPrefix,
    TELEPHONY_TOPICS: `${topics.call},${topics.agent}`, CLOCK_SPEED: String(LOOP_SPEED), CLOCK_TICK_MS: '50',
    CHUNK_SIZE: '500', // the production consumer's chunk (the fixture's default of 5 is for its crash tests)
  });
  // GATEWAY_TRACE_FILE: per-stage timestamps of the gateway's side (pipeline, relay, assignment consumer, AMI, GC, loop).
  const trace = process.env.GATEWAY_TRACE_FILE ? startGatewayLatencyTrace(process.env.GATEWAY_TRACE_FILE) : undefined;
  trace?.kafka(kafka);
  // LOOP_SIMULATOR=in-process: the simulator on the gateway's event loop, as before the PBX had a process of its own.
  const pbx = await (process.env.LOOP_SIMULATOR === 'in-process' ? inProcessPbx : ownProcessPbx)({ scenario, seed: 7, speed: LOOP_SPEED, amiSecret: secret });
  const assignmentGroup = `bench-gw-assign-${randomUUID().slice(0, 8)}`;
  const pbxLinkId = `bench-${randomUUID().slice(0, 8)}`;
  const gateway = await startGateway({
    pool, kafka, relayName: `bench-relay-${randomUUID()}`, assignmentGroupId: assignmentGroup,
    topicOverrides: { [Topics.telephonyCall.name]: topics.call, [Topics.telephonyAgent.name]: topics.agent, [Topics.routingAssignment.name]: topics.assignment },
    settings: { tenant: 'bench', site: 'hq', callerHashKey: randomBytes(32).toString('hex'), ami: {
      pbxLinkId, host: '127.0.0.1', port: pbx.amiPort, username: 'switchboard', secret, keepaliveMs: 15_000, ringCycleMs: 5000, defaultDialedNumber: '4008001234',
    } },
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (const deadline = Date.now() + 90_000; ; await sleep(500)) {
      // The gateway's assignment consumer is one group, or one per PBX link (`<group>.<pbxLinkId>`).
      const { groups } = await admin.describeGroups([`${groupPrefix}.telephony`, assignmentGroup, `${assignmentGroup}.${pbxLinkId}`]);
      const stable = (id: string) => groups.some((g) => g.groupId === id && g.state === 'Stable');
      if (gateway.links[0].status().state === 'up' && stable(`${groupPrefix}.telephony`) && (stable(assignmentGroup) || stable(`${assignmentGroup}.${pbxLinkId}`))) break;
      if (Date.now() > deadline) throw new Error('routing or gateway consumer group never became stable');
    }
    const startedAt = Date.now();
    pbx.start();
    const atPbx = await pbx.done;
    while ((await pool.query('select count(*)::int as n from es_outbox')).rows[0].n > 0) await sleep(200);
    const events = decodedEvents(await readRecords(kafka, topics.call)).map((e) => e.event);
    const executed = events.filter((e) => e.type === CallAssignmentExecuted.type).sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
    // Without the gateway's outcome events, the same span from its execution rows (QueueCallerJoin received → PBX accepted).
    const rows = (await pool.query<{ ms: number }>(`select extract(epoch from finished_at - queued_at) * 1000 as ms from gw_assignment_executions
      where status = 'executed' and queued_at is not null order by finished_at`)).rows.map((r) => Number(r.ms));
    const source = executed.length > 0 ? 'CallAssignmentExecuted.queuedToExecutedMs' : 'gw_assignment_executions (finished_at - queued_at)';
    const spans = executed.length > 0 ? executed.map((e) => (e.data as { queuedToExecutedMs: number }).queuedToExecutedMs) : rows;
    const afterWarmup = <T>(xs: T[]) => xs.slice(Math.floor(xs.length * (LOOP_WARMUP_SECONDS / LOOP_SECONDS)));
    const gatewayLatencies = afterWarmup(spans).sort((a, b) => a - b);
    // The target's span, on the PBX: caller joined the queue → Redirect applied (calls in the order they were queued).
    const pbxCalls = Object.values(atPbx.calls).sort((a, b) => a.queuedAt - b.queuedAt);
    const measured = afterWarmup(pbxCalls);
    const latencies = measured.flatMap((c) => (c.executedAt === undefined ? [] : [c.executedAt - c.queuedAt])).sort((a, b) => a - b);
    const neverExecuted = measured.length - latencies.length;
    const failures = (await pool.query<{ reason: string; n: number }>(`select regexp_replace(reason, '[0-9]+', 'N', 'g') as reason, count(*)::int as n
      from gw_assignment_executions where status = 'failed' group by 1 order by 2 desc limit 3`)).rows;
    const failed = (await pool.query<{ n: number }>(`select count(*)::int as n from gw_assignment_executions where status = 'failed'`)).rows[0].n;
    const wallSeconds = (Date.now() - startedAt) / 1000;
    const segments = await loopSegments(kafka, pool, routingDbUrl, topics, LOOP_WARMUP_SECONDS / LOOP_SECONDS);
    return { latencies, gatewayLatencies, neverExecuted, source, pbxMode: pbx.mode, failed, failures, executed: spans.length, wallSeconds, contacts: atPbx.contacts, segments };
  } finally {
    await admin.disconnect();
    await gateway.stop();
    killWorkers();
    await pbx.stop();
    trace?.stop();
  }
}

/** Baseline: the loop's two Kafka hops alone, at the same rate: producer → topic → consumer+producer → topic → consumer. */
async function bareRoundTrip(kafka: Kafka, there: string, back: string, count: number): Promise<number[]> {
  const producer = createIdempotentProducer(kafka);
  const relayProducer = createIdempotentProducer(kafka);
  const relay = kafka.consumer({ groupId: `bench-relay-${randomUUID()}` });
  const sink = kafka.consumer({ groupId: `bench-sink-${randomUUID()}` });
  const latencies: number[] = [];
  await Promise.all([producer.connect(), relayProducer.connect(), relay.connect(), sink.connect()]);
  try {
    await relay.subscribe({ topic: there });
    await sink.subscribe({ topic: back });
    await relay.run({ eachMessage: async ({ message }) => { await relayProducer.send({ topic: back, acks: -1, messages: [{ key: message.key, value: message.value }] }); } });
    await sink.run({ eachMessage: async ({ message }) => { latencies.push(Date.now() - Number(message.value!.toString())); } });
    await sleep(4000); // both groups joined before the first record
    const t0 = Date.now();
    for (let i = 0; i < count; i++) {
      await sleep(Math.max(0, t0 + (i * 1000) / LOOP_CALLS_PER_SECOND - Date.now()));
      void producer.send({ topic: there, acks: -1, messages: [{ key: String(i), value: String(Date.now()) }] });
    }
    for (const deadline = Date.now() + 30_000; latencies.length < count && Date.now() < deadline;) await sleep(100);
    return latencies.slice(Math.floor(count * (LOOP_WARMUP_SECONDS / LOOP_SECONDS))).sort((a, b) => a - b);
  } finally {
    await Promise.all([relay.disconnect(), sink.disconnect()]);
    await Promise.all([producer.disconnect(), relayProducer.disconnect()]);
  }
}

export async function runRoutingClosedLoopBench(): Promise<BenchResult> {
  const infra = await ensureInfra();
  const suffix = randomUUID().replace(/-/g, '').slice(0, 10);
  const [gwDb, routingDb] = [`sb_bench_cl_gw_${suffix}`, `sb_bench_cl_routing_${suffix}`];
  // The gateway's pool as in production (service-kit's bootstrap: 10): relay listener, relay read-ahead and checkpoint,
  // pipeline writes and the assignment consumer's chunk may all hold one at once.
  const pool = new Pool({ connectionString: await ensureDatabase(infra.postgresUrl, gwDb), max: 10 });
  const routingDbUrl = await ensureDatabase(infra.postgresUrl, routingDb);
  const kafka = new Kafka({ clientId: 'routing-closed-loop-bench', brokers: infra.kafkaBrokers, logLevel: logLevel.NOTHING });
  const topics = { call: `bench-cl-call-${suffix}`, agent: `bench-cl-agent-${suffix}`, assignment: `bench-cl-assignment-${suffix}` };
  const bare = { there: `bench-cl-bare-there-${suffix}`, back: `bench-cl-bare-back-${suffix}` };
  const all = [...Object.values(topics), ...Object.values(topics).map(dlqTopicOf), ...Object.values(bare)];
  const admin = kafka.admin();
  await admin.connect();
  try {
    await createTopics(admin, all, 6);
    const loop = await closedLoop(kafka, infra.kafkaBrokers, pool, routingDbUrl, topics);
    const base = await bareRoundTrip(kafka, bare.there, bare.back, LOOP_CALLS_PER_SECOND * LOOP_SECONDS);
    const p = (xs: number[], q: number) => percentile(xs, q) ?? NaN;
    const metrics = { p50_ms: p(loop.latencies, 0.5), p99_ms: p(loop.latencies, 0.99), max_ms: loop.latencies[loop.latencies.length - 1] ?? NaN,
      samples: loop.latencies.length, never_executed: loop.neverExecuted,
      gw_queued_to_executed_p50_ms: p(loop.gatewayLatencies, 0.5), gw_queued_to_executed_p99_ms: p(loop.gatewayLatencies, 0.99),
      executed: loop.executed, failed: loop.failed, calls_per_s: Number((loop.contacts / loop.wallSeconds).toFixed(1)), ...loop.segments };
    const baseline = { p50_ms: p(base, 0.5), p99_ms: p(base, 0.99), max_ms: base[base.length - 1] ?? NaN, samples: base.length };
    const notes = [
      `Closed loop at ${LOOP_CALLS_PER_SECOND} new calls/s (simulator ${LOOP_SPEED}x, ${LOOP_AGENTS} agents, every call assigned on arrival): call queued at the PBX`,
      `(the simulator, ${loop.pbxMode}, writes QueueCallerJoin) → gateway → CallQueued → Kafka → routing (own process, journal + outbox) → Kafka → gateway → AMI Redirect`,
      `applied at the PBX (both instants Date.now() in the simulator's process); first ${LOOP_WARMUP_SECONDS} s of calls dropped. gw_queued_to_executed: the gateway's own`,
      `span (QueueCallerJoin read → Redirect reply read; source: ${loop.source}). Baseline: bare Kafka round trip over two hops (idempotent producers, acks=all) at the same rate.`,
      `Failed redirects by reason: ${loop.failures.map((f) => `${f.reason} ×${f.n}`).join(', ') || 'none'}. p50 ${ratio(metrics.p50_ms, baseline.p50_ms)}x, p99 ${ratio(metrics.p99_ms, baseline.p99_ms)}x the baseline. Target p99 < ${LOOP_TARGET_P99_MS} ms (${metrics.p99_ms < LOOP_TARGET_P99_MS ? 'met' : 'MISSED'}).`,
    ].join(' ');
    return { name: 'routing-closed-loop-latency', metrics, baseline, notes };
  } finally {
    await admin.deleteTopics({ topics: all }).catch(() => undefined);
    await admin.disconnect();
    await pool.end();
    // LOOP_KEEP_DATABASES=1 keeps both databases for inspection (their names are printed).
    if (process.env.LOOP_KEEP_DATABASES) console.error(`[bench] kept databases ${gwDb} and ${routingDb}`);
    else {
      await dropBenchDatabase(infra.postgresUrl, gwDb);
      await dropBenchDatabase(infra.postgresUrl, routingDb);
    }
  }
}

// ─────────────────────────────── routing hop ───────────────────────────────

const HOP_TALK_MS = 2_000;

/**
 * Routing alone at the closed loop's rate, the gateway left out: synthetic gateway events (CallQueued; per assignment
 * the agent's on-call, CallAnswered, then after HOP_TALK_MS CallReleased, wrap-up and ready: 7 events per call, as
 * the PBX reports them) produced to routing's topics; latency = CallQueued produced → CallAssignedToAgent seen by a
 * consumer (routing's consumer, journal + decisions + offsets transaction, outbox relay). The same two Kafka hops as
 * the bare round trip.
 */
async function routingHop(kafka: Kafka, brokers: string[], routingDbUrl: string, topics: Record<'call' | 'agent' | 'assignment', string>) {
  const groupPrefix = `bench-hop-${randomUUID().slice(0, 8)}`;
  // ROUTING_WORKER: another build's worker fixture (e.g. an export of an earlier commit), to compare routing versions.
  spawnWorker(process.env.ROUTING_WORKER ?? path.join(ROOT, 'services/routing/test/fixtures/routing-worker.ts'), {
    DATABASE_URL: routingDbUrl, KAFKA_BROKERS: brokers.join(','), ASSIGNMENT_TOPIC: topics.assignment, GROUP_PREFIX: groupPrefix,
    TELEPHONY_TOPICS: `${topics.call},${topics.agent}`, CLOCK_SPEED: '1', CLOCK_TICK_MS: '1000', CHUNK_SIZE: '500',
  });
  // Two producers: the PBX's reactions (7 sends per call, each a round trip with one request in flight) must not
  // queue the next CallQueued behind them, nor hold up the sink, or the harness measures itself.
  const producer = createIdempotentProducer(kafka);
  const callProducer = createIdempotentProducer(kafka);
  const sink = kafka.consumer({ groupId: `bench-hop-sink-${randomUUID()}` });
  const admin = kafka.admin();
  await Promise.all([producer.connect(), callProducer.connect(), sink.connect(), admin.connect()]);
  const sequences = new Map<string, number>();
  const envelope = <E extends EventDefinition>(definition: E, subject: string, data: DataOf<E>) => {
    const sequence = (sequences.get(subject) ?? 0) + 1;
    sequences.set(subject, sequence);
    const r = toKafkaRecord(createEnvelope(definition, { service: 'telephony-gateway', site: 'hq', tenant: 'bench', subject, sequence, data, time: new Date() }, systemEnvelopeDeps) as unknown as AnyEvent);
    return { key: r.key, value: r.value, headers: r.headers };
  };
  const ext = (agentId: string) => `8${agentId.slice(1).padStart(3, '0')}`;
  const state = (agentId: string, current: DataOf<typeof AgentStateChanged>['current']) =>
    envelope(AgentStateChanged, agentId, { agentId, extension: ext(agentId), previous: { status: 'ready' }, current, previousStateSeconds: 1 });
  const send = (topic: string, messages: { key: string; value: Buffer | string; headers?: Record<string, string> }[]) => producer.send({ topic, acks: -1, messages });
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, f: () => Promise<unknown>) => { const t = setTimeout(() => { timers.delete(t); void f(); }, ms); timers.add(t); };
  try {
    await send(topics.agent, Array.from({ length: LOOP_AGENTS }, (_, i) => envelope(AgentLoggedIn, `A${i + 1}`, { agentId: `A${i + 1}`, extension: ext(`A${i + 1}`), pbxLinkId: 'bench', queueIds: ['q1'] })));
    await sink.subscribe({ topic: topics.assignment, fromBeginning: true });
    await sink.run({ eachMessage: async ({ message }) => {
      const d = decode(message.value!);
      if (d.status !== 'event' || d.event.type !== CallAssignedToAgent.type) return;
      const { callId, agentId } = d.event.data;
      const sent = sentAt.get(callId);
      if (sent !== undefined) latencies.push(Date.now() - sent);
      void Promise.all([
        send(topics.agent, [state(agentId, { status: 'on-call', callId })]),
        send(topics.call, [envelope(CallAnswered, callId, { callId, queueId: 'q1', agentId, extension: ext(agentId), waitSeconds: 0, ringCount: 1, ringDurationMs: 100 })]),
      ]);
      later(HOP_TALK_MS, async () => {
        await send(topics.call, [envelope(CallReleased, callId, { callId, agentId, releasedBy: 'caller', talkSeconds: HOP_TALK_MS / 1000, holdCount: 0, totalHoldSeconds: 0, transferCount: 0 })]);
        await send(topics.agent, [state(agentId, { status: 'wrap-up', callId })]);
        later(200, () => send(topics.agent, [state(agentId, { status: 'ready' })]));
      });
    } });
    for (const deadline = Date.now() + 90_000; ; await sleep(500)) {
      const { groups } = await admin.describeGroups([`${groupPrefix}.telephony`]);
      if (groups.every((g) => g.state === 'Stable')) break;
      if (Date.now() > deadline) throw new Error('routing consumer group never became stable');
    }
    await sleep(3000);
    const count = LOOP_CALLS_PER_SECOND * LOOP_SECONDS;
    const t0 = Date.now();
    for (let i = 0; i < count; i++) {
      await sleep(Math.max(0, t0 + (i * 1000) / LOOP_CALLS_PER_SECOND - Date.now()));
      const callId = `bench:c${i}`;
      sentAt.set(callId, Date.now());
      void callProducer.send({ topic: topics.call, acks: -1, messages: [envelope(CallQueued, callId, { callId, queueId: 'q1', skillId: 'q1', position: 1, queueLength: 1 })] });
    }
    for (const deadline = Date.now() + 60_000; latencies.length < count && Date.now() < deadline;) await sleep(200);
    // Routing's share: CallQueued sent → applied by routing's consumer (the journal's wall_ms).
    const routingDb = new Pool({ connectionString: routingDbUrl, max: 1 });
    const applied = (await routingDb.query<{ call_id: string; wall_ms: string }>(`select input->>'callId' as call_id, min(wall_ms) as wall_ms
      from routing_input_journal where input->>'type' = 'CallQueued' group by 1`)).rows;
    await routingDb.end();
    const routingIn = applied.flatMap((r) => { const sent = sentAt.get(r.call_id); return sent === undefined ? [] : [[sent, Number(r.wall_ms) - sent]]; })
      .sort((a, b) => a[0] - b[0]).map(([, ms]) => ms);
    const measured = <T>(xs: T[]) => xs.slice(Math.floor(xs.length * (LOOP_WARMUP_SECONDS / LOOP_SECONDS)));
    return { latencies: measured(latencies).sort((a, b) => a - b), routingIn: measured(routingIn).sort((a, b) => a - b), assigned: latencies.length, calls: count };
  } finally {
    timers.forEach(clearTimeout);
    await sink.disconnect();
    await admin.disconnect();
    await Promise.all([producer.disconnect(), callProducer.disconnect()]);
    killWorkers();
  }
}

export async function runRoutingHopBench(): Promise<BenchResult> {
  const infra = await ensureInfra();
  const suffix = randomUUID().replace(/-/g, '').slice(0, 10);
  const routingDb = `sb_bench_hop_routing_${suffix}`;
  const routingDbUrl = await ensureDatabase(infra.postgresUrl, routingDb);
  const kafka = new Kafka({ clientId: 'routing-hop-bench', brokers: infra.kafkaBrokers, logLevel: logLevel.NOTHING });
  const topics = { call: `bench-hop-call-${suffix}`, agent: `bench-hop-agent-${suffix}`, assignment: `bench-hop-assignment-${suffix}` };
  const bare = { there: `bench-hop-bare-there-${suffix}`, back: `bench-hop-bare-back-${suffix}` };
  const all = [...Object.values(topics), ...Object.values(topics).map(dlqTopicOf), ...Object.values(bare)];
  const admin = kafka.admin();
  await admin.connect();
  try {
    await createTopics(admin, all, 6);
    const hop = await routingHop(kafka, infra.kafkaBrokers, routingDbUrl, topics);
    const base = await bareRoundTrip(kafka, bare.there, bare.back, LOOP_CALLS_PER_SECOND * LOOP_SECONDS);
    const routingPool = new Pool({ connectionString: routingDbUrl, max: 1 });
    const journal = (await routingPool.query<{ n: number }>('select count(*)::int as n from routing_input_journal')).rows[0].n;
    await routingPool.end();
    const p = (xs: number[], q: number) => percentile(xs, q) ?? NaN;
    const metrics = { p50_ms: p(hop.latencies, 0.5), p99_ms: p(hop.latencies, 0.99), max_ms: hop.latencies[hop.latencies.length - 1] ?? NaN,
      samples: hop.latencies.length, assigned: hop.assigned, calls: hop.calls, journal_inputs: journal,
      routing_in_p50_ms: p(hop.routingIn, 0.5), routing_in_p99_ms: p(hop.routingIn, 0.99) };
    const baseline = { p50_ms: p(base, 0.5), p99_ms: p(base, 0.99), max_ms: base[base.length - 1] ?? NaN, samples: base.length };
    const notes = [
      `Routing hop at ${LOOP_CALLS_PER_SECOND} new calls/s, ${LOOP_AGENTS} agents, ${HOP_TALK_MS / 1000} s talk, gateway left out: CallQueued produced → routing (own process,`,
      `production chunk 500: a fetch's partitions in one transaction) → CallAssignedToAgent consumed; first ${LOOP_WARMUP_SECONDS} s dropped. Baseline: the same two bare Kafka hops.`,
      `routing_in: CallQueued sent → applied by routing's consumer (its journal's wall_ms), the hop's first half.`,
      `p50 ${ratio(metrics.p50_ms, baseline.p50_ms)}x, p99 ${ratio(metrics.p99_ms, baseline.p99_ms)}x the baseline. Target p99 < ${LOOP_TARGET_P99_MS} ms (${metrics.p99_ms < LOOP_TARGET_P99_MS ? 'met' : 'MISSED'}).`,
    ].join(' ');
    return { name: 'routing-hop-latency', metrics, baseline, notes };
  } finally {
    await admin.deleteTopics({ topics: all }).catch(() => undefined);
    await admin.disconnect();
    await dropBenchDatabase(infra.postgresUrl, routingDb);
  }
}

if (require.main === module) {
  const which = process.argv[2] ?? 'decision';
  const run = { 'closed-loop': runRoutingClosedLoopBench, hop: runRoutingHopBench }[which] ?? runRoutingBench;
  run().then((r) => {
    console.log(JSON.stringify(r, null, 2));
    process.exit(0);
  }, (e) => {
    console.error(e);
    process.exit(1);
  });
}
