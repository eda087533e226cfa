// SIGKILL the routing consumer mid-stream and restart it: live state is rebuilt from the input journal, every call is
// assigned exactly once, and the recorded decisions are exactly those of one uninterrupted run over the same inputs.
import type { Kafka, Producer } from 'kafkajs';
import { Pool } from 'pg';
import { dlqTopicOf } from '@switchboard/contracts';
import { createIdempotentProducer, migrateEventStore } from '@switchboard/eventsourcing';
import { createTopics, freshDatabase, testInfra, testKafka, uniqueName } from '@switchboard/testing';
import { RoutingEngine } from '../src/matching/domain/routing-engine';
import { decodeInput } from '../src/matching/application/input-codec';
import { TelephonyEvents, toMessages } from './telephony-events';
import { eventually, killWorkers, spawnWorker } from './workers';
import { readEvents } from './kafka-read';

const AGENTS = 24;
let kafka: Kafka;
let producer: Producer;
let db: { url: string; drop: () => Promise<void> };
let pool: Pool;

beforeAll(async () => {
  kafka = testKafka();
  producer = createIdempotentProducer(kafka);
  await producer.connect();
  db = await freshDatabase('sb_routing_restart');
  pool = new Pool({ connectionString: db.url, max: 3 });
  await migrateEventStore(pool);
});
afterEach(killWorkers);
afterAll(async () => {
  await producer?.disconnect();
  await pool?.end();
  await db?.drop();
});

const count = async (sql: string) => (await pool.query<{ n: number }>(sql)).rows[0].n;
const assignments = () => count(`select count(*)::int as n from es_events where event_type = 'CallAssigned'`);

async function newTopics() {
  const t = { call: uniqueName('it-rr-call'), agent: uniqueName('it-rr-agent'), assignment: uniqueName('it-rr-assignment') };
  const admin = kafka.admin();
  await admin.connect();
  await createTopics(admin, [t.call, t.agent, dlqTopicOf(t.call), dlqTopicOf(t.agent)], 2);
  await createTopics(admin, [t.assignment], 2);
  await admin.disconnect();
  return t;
}

it('rebuilds live state after a SIGKILL and never assigns a call or an agent twice', async () => {
  const topics = await newTopics();
  const ev = new TelephonyEvents(Date.parse('2026-03-02T09:00:00Z'));
  const agentIds = Array.from({ length: AGENTS }, (_, i) => `E${i + 1}`);
  await producer.send({ topic: topics.agent, acks: -1, messages: toMessages(agentIds.flatMap((a) => [ev.agentLoggedIn(a, ['billing']), ev.agentState(a, { status: 'ready' })])) });
  await producer.send({ topic: topics.call, acks: -1, messages: toMessages(agentIds.map((_, i) => ev.callQueued(`call-${i + 1}`, 'billing'))) });
  const env = { DATABASE_URL: db.url, KAFKA_BROKERS: testInfra().brokers.join(','), GROUP_PREFIX: uniqueName('routing'),
    TELEPHONY_TOPICS: `${topics.call},${topics.agent}`, ASSIGNMENT_TOPIC: topics.assignment };

  const first = spawnWorker('routing-worker.ts', { ...env, SLOW_MS: '40' });
  await eventually('some assignments before the kill', async () => (await assignments()) >= 6);
  first.kill('SIGKILL');
  await first.exited;
  expect(await assignments()).toBeLessThan(AGENTS);

  const second = spawnWorker('routing-worker.ts', env);
  await eventually('every call assigned after the restart', async () => (await assignments()) >= AGENTS);
  await new Promise((r) => setTimeout(r, 1500)); // would expose a late double assignment
  second.kill('SIGTERM');
  await second.exited;

  const { rows } = await pool.query(`select count(*)::int as n, count(distinct data->'data'->>'callId')::int as calls, count(distinct data->'data'->>'agentId')::int as agents
    from es_events where event_type = 'CallAssigned'`);
  expect(rows[0]).toEqual({ n: AGENTS, calls: AGENTS, agents: AGENTS });
  // Each telephony event journaled once; a login is two inputs (logged in, ready).
  expect(await count('select count(*)::int as n from routing_input_journal')).toBe(4 * AGENTS);
  const published = await readEvents(kafka, topics.assignment, AGENTS);
  expect(new Set(published.map((e) => e.subject)).size).toBe(AGENTS);
  await expectSameAsUninterruptedRun();
});

/** Replays the journal through a fresh engine: its decisions must be exactly the recorded ones, and its end state full. */
async function expectSameAsUninterruptedRun(): Promise<void> {
  const engine = new RoutingEngine();
  const journal = await pool.query<{ input: unknown }>('select input from routing_input_journal order by seq');
  const replayed = journal.rows.flatMap((r) => engine.handle(decodeInput(r.input)));
  const recorded = await pool.query<{ data: unknown }>(`select data from es_events where stream_id like 'routing-call-%' order by global_position`);
  expect(canonical(recorded.rows.map((r) => r.data))).toEqual(canonical(replayed));
  expect(engine.book.calls.size).toBe(0);
  expect([...engine.book.agents.values()].every((a) => a.availability.status === 'reserved')).toBe(true);
}

/** Decisions as sorted strings with sorted keys (jsonb reorders keys; one input's decisions are stored per call). */
const canonical = (ds: readonly unknown[]) => ds.map((d) => JSON.stringify(d, (_k, v: unknown) =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v)).sort();
