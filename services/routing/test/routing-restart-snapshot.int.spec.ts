// Restarts from an engine snapshot: the journal below it is pruned, so only the snapshot and the journal after it can
// rebuild live state. The rebuilt engine must be exactly the one a full replay of every input gives, across a SIGKILL too.
import fc from 'fast-check';
import type { Kafka, Producer } from 'kafkajs';
import { Pool } from 'pg';
import { dlqTopicOf } from '@switchboard/contracts';
import { createIdempotentProducer, migrateEventStore } from '@switchboard/eventsourcing';
import { createTopics, freshDatabase, testInfra, testKafka, uniqueName } from '@switchboard/testing';
import { composeRouting } from '../src/routing.composition';
import { RoutingEngine } from '../src/matching/domain/routing-engine';
import type { RoutingInput } from '../src/matching/domain/routing-inputs';
import { decodeInput } from '../src/matching/application/input-codec';
import { encodeEngine } from '../src/matching/infrastructure/engine-snapshot';
import { busyFloor } from '../src/matching/test-support/arbitraries';
import { resolve } from '../src/matching/test-support/scenario-driver';
import { TelephonyEvents, toMessages } from './telephony-events';
import { eventually, killWorkers, spawnWorker } from './workers';

let db: { url: string; drop: () => Promise<void> };
let pool: Pool;

beforeEach(async () => {
  db = await freshDatabase('sb_routing_snapshot');
  pool = new Pool({ connectionString: db.url, max: 3 });
  await migrateEventStore(pool);
});
afterEach(async () => {
  await killWorkers();
  await pool?.end();
  await db?.drop();
});

const count = async (sql: string) => (await pool.query<{ n: number }>(sql)).rows[0].n;
const compose = (snapshots: Parameters<typeof composeRouting>[1]['snapshots'], clock = () => Date.now()) =>
  composeRouting(pool, { tenant: 'acme', site: 'nanchang', clock, snapshots });
/** The engine's whole state; compared ignoring key order (jsonb keeps none, in snapshots and journaled inputs alike). */
const stateOf = (engine: RoutingEngine): unknown => JSON.parse(encodeEngine(engine));
/** Snapshot after every 7 inputs; journal rows below the latest snapshot are deleted at once. */
const OFTEN = { everyInputs: 7, everyMs: 3_600_000, journalRetentionMs: 0 };

it('resumes a snapshot and the journal after it into exactly the engine a full replay gives, and decides on alike', async () => {
  const [floor] = fc.sample(busyFloor, { seed: 42, numRuns: 1 });
  const wall = () => Date.parse('2026-03-02T09:00:00Z');
  const first = await compose(OFTEN, wall);
  const applied: RoutingInput[] = [];
  const apply = async (input: RoutingInput) => {
    applied.push(input);
    await first.router.apply(input);
  };
  for (const policy of floor.policies) await apply({ type: 'PolicySet', policy, at: 0 });
  await apply({ type: 'TeamLeaderShareSet', ratio: floor.teamLeaderRatio, at: 0 });
  for (const [i, a] of floor.agents.entries()) {
    await apply({ type: 'AgentProfileChanged', agentId: `a${i}`, profile: { teamId: a.team, skills: new Map(), ...(a.leader ? { teamLeader: true } : {}) }, at: 0 });
    await apply({ type: 'AgentLoggedIn', agentId: `a${i}`, queueIds: a.queues, at: 0 });
  }
  let at = 0;
  for (const [seq, [intent, dt]] of floor.steps.entries()) {
    at += dt;
    const input = resolve(first.router.engine, intent, at, seq);
    if (input !== undefined) await apply(input);
  }
  const head = applied.length;
  expect(head).toBeGreaterThan(2 * OFTEN.everyInputs);
  // The journal up to the latest snapshot is gone: only the snapshot can have rebuilt the engine.
  const latest = await count('select max(seq)::int as n from routing_engine_snapshots');
  expect(latest).toBe(head - (head % OFTEN.everyInputs));
  expect(await count('select min(seq)::int as n from routing_input_journal')).toBe(latest);
  expect(await count('select count(*)::int as n from routing_engine_snapshots')).toBe(1);

  const restarted = await compose(OFTEN, wall);
  const replayed = new RoutingEngine();
  applied.forEach((input) => replayed.handle(input));
  expect(stateOf(restarted.router.engine)).toEqual(stateOf(replayed));
  expect(restarted.router.clock()).toBe(first.router.clock());

  const later: RoutingInput[] = [
    ...floor.agents.map((_, i): RoutingInput => ({ type: 'AgentBecameReady', agentId: `a${i}`, at: at + 1_000 })),
    ...[0, 1, 2].map((i): RoutingInput => ({ type: 'CallQueued', callId: `late-${i}`, queueId: 'q1', callerTier: i === 1 ? 'vip' : undefined, at: at + 2_000 + i })),
    { type: 'TimeAdvanced', at: at + 600_000 },
  ];
  for (const input of later) expect(await restarted.router.apply(input)).toEqual(replayed.handle(input));
  expect(stateOf(restarted.router.engine)).toEqual(stateOf(replayed));
});

describe('SIGKILL and restart from a snapshot', () => {
  const AGENTS = 24;
  let kafka: Kafka;
  let producer: Producer;

  beforeAll(async () => {
    kafka = testKafka();
    producer = createIdempotentProducer(kafka);
    await producer.connect();
  });
  afterAll(async () => {
    await producer?.disconnect();
  });

  it('never assigns a call or an agent twice and loses no input when the journal below the snapshot is pruned', async () => {
    const topics = { call: uniqueName('it-rs-call'), agent: uniqueName('it-rs-agent'), assignment: uniqueName('it-rs-assignment') };
    const admin = kafka.admin();
    await admin.connect();
    await createTopics(admin, [topics.call, topics.agent, dlqTopicOf(topics.call), dlqTopicOf(topics.agent), topics.assignment], 2);
    await admin.disconnect();
    const ev = new TelephonyEvents(Date.parse('2026-03-02T09:00:00Z'));
    const agentIds = Array.from({ length: AGENTS }, (_, i) => `E${i + 1}`);
    await producer.send({ topic: topics.agent, acks: -1, messages: toMessages(agentIds.flatMap((a) => [ev.agentLoggedIn(a, ['billing']), ev.agentState(a, { status: 'ready' })])) });
    await producer.send({ topic: topics.call, acks: -1, messages: toMessages(agentIds.map((_, i) => ev.callQueued(`call-${i + 1}`, 'billing'))) });
    const env = { DATABASE_URL: db.url, KAFKA_BROKERS: testInfra().brokers.join(','), GROUP_PREFIX: uniqueName('routing'),
      TELEPHONY_TOPICS: `${topics.call},${topics.agent}`, ASSIGNMENT_TOPIC: topics.assignment };
    const assignments = () => count(`select count(*)::int as n from es_events where event_type = 'CallAssigned'`);

    const first = spawnWorker('routing-worker.ts', { ...env, SLOW_MS: '40' });
    await eventually('some assignments before the kill', async () => (await assignments()) >= 6);
    first.kill('SIGKILL');
    await first.exited;
    expect(await assignments()).toBeLessThan(AGENTS);

    // While it is down, a snapshot is taken (as the next input of a running router would) and the journal pruned.
    const beforeSnapshot = (await pool.query<{ input: unknown }>('select input from routing_input_journal order by seq')).rows.map((r) => r.input);
    const offline = await compose({ everyInputs: 1, everyMs: 3_600_000, journalRetentionMs: 0 });
    await offline.router.apply({ type: 'TimeAdvanced', at: offline.router.clock() });
    const snapshotSeq = beforeSnapshot.length + 1;
    expect(await count('select max(seq)::int as n from routing_engine_snapshots')).toBe(snapshotSeq);
    expect(await count('select min(seq)::int as n from routing_input_journal')).toBe(snapshotSeq);

    const second = spawnWorker('routing-worker.ts', env);
    await eventually('every call assigned after the restart', async () => (await assignments()) >= AGENTS);
    await new Promise((r) => setTimeout(r, 1500)); // would expose a late double assignment
    second.kill('SIGTERM');
    await second.exited;

    const { rows } = await pool.query(`select count(*)::int as n, count(distinct data->'data'->>'callId')::int as calls, count(distinct data->'data'->>'agentId')::int as agents
      from es_events where event_type = 'CallAssigned'`);
    expect(rows[0]).toEqual({ n: AGENTS, calls: AGENTS, agents: AGENTS });
    // No input lost or doubled: every telephony event journaled once (a login is two inputs), plus the snapshot's tick.
    const after = (await pool.query<{ input: unknown }>('select input from routing_input_journal where seq > $1 order by seq', [snapshotSeq])).rows.map((r) => r.input);
    expect(await count('select max(seq)::int as n from routing_input_journal')).toBe(4 * AGENTS + 1);
    const tick = (await pool.query<{ input: unknown }>('select input from routing_input_journal where seq = $1', [snapshotSeq])).rows[0].input;
    const all = [...beforeSnapshot, tick, ...after].map(decodeInput);
    expect(all.filter((i) => i.type !== 'TimeAdvanced')).toHaveLength(4 * AGENTS);

    // The recorded decisions are exactly those of one uninterrupted run over every input.
    const engine = new RoutingEngine();
    const replayed = all.flatMap((input) => engine.handle(input));
    const recorded = await pool.query<{ data: unknown }>(`select data from es_events where stream_id like 'routing-call-%' order by global_position`);
    expect(canonical(recorded.rows.map((r) => r.data))).toEqual(canonical(replayed));
    expect([...engine.book.agents.values()].every((a) => a.availability.status === 'reserved')).toBe(true);
  });
});

/** Decisions as sorted strings with sorted keys (jsonb reorders keys; one input's decisions are stored per call). */
const canonical = (ds: readonly unknown[]) => ds.map((d) => JSON.stringify(d, (_k, v: unknown) =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v)).sort();
