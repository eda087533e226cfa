// A consumer chunk's Postgres round trips (issue #6: each is a wake-up of two busy processes on the closed loop):
// the journal lock and head, the decisions' stream heads, and ONE statement writing the journal rows, events, offers
// and outbox rows. And the engine stays the fold of the committed journal when a chunk's transaction rolls back.
import { Client, Pool, type PoolClient } from 'pg';
import { migrateEventStore } from '@switchboard/eventsourcing';
import { freshDatabase } from '@switchboard/testing';
import { composeRouting } from '../src/routing.composition';
import type { LiveRouter } from '../src/matching/application/live-router';
import { decodeInput } from '../src/matching/application/input-codec';
import { RoutingEngine } from '../src/matching/domain/routing-engine';
import type { RoutingInput } from '../src/matching/domain/routing-inputs';
import { encodeEngine } from '../src/matching/infrastructure/engine-snapshot';
import { policy, readyAgent } from '../src/matching/test-support/engine-spec';

let db: { url: string; drop: () => Promise<void> };
let pool: Pool;
let router: LiveRouter;
const ASSIGNMENTS = 'it-round-trips-assignment';

beforeEach(async () => {
  db = await freshDatabase('sb_routing_round_trips');
  pool = new Pool({ connectionString: db.url, max: 3 });
  await migrateEventStore(pool);
  ({ router } = await composeRouting(pool, { tenant: 'acme', site: 'nanchang', clock: () => Date.now(), assignmentTopic: ASSIGNMENTS }));
  for (const input of [{ type: 'PolicySet', policy: policy('q1'), at: 0 } as const, ...readyAgent('a1', {}, 1_000)]) await router.apply(input);
});
afterEach(async () => {
  await pool?.end();
  await db?.drop();
});

const count = async (sql: string, values: unknown[] = []) => (await pool.query<{ n: number }>(sql, values)).rows[0].n;
const queued = (callId: string, at: number): RoutingInput => ({ type: 'CallQueued', callId, queueId: 'q1', at });

/** Runs `work` in a transaction on one client and counts the queries it sends (begin and commit not counted). */
async function inCountedTransaction<T>(work: (client: PoolClient) => Promise<T>, outcome: 'commit' | 'rollback' = 'commit'): Promise<{ result: T; queries: string[] }> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    const query = jest.spyOn(client, 'query');
    const result = await work(client);
    const queries = query.mock.calls.map(([text]) => (typeof text === 'string' ? text : ''));
    query.mockRestore();
    await client.query(outcome);
    return { result, queries };
  } finally {
    client.release();
  }
}

/** Resolves with the first `es_outbox` notification (the outbox relay's wake-up). */
async function nextOutboxNotification(): Promise<{ received: Promise<void>; stop: () => Promise<void> }> {
  const listener = new Client({ connectionString: db.url });
  await listener.connect();
  await listener.query('listen es_outbox');
  const received = new Promise<void>((resolve) => listener.once('notification', () => resolve()));
  return { received, stop: () => listener.end() };
}

it('writes a chunk that decides in three round trips: the journal lock and head, the stream heads, and one statement', async () => {
  const notified = await nextOutboxNotification();
  try {
    const { result, queries } = await inCountedTransaction((client) => router.applyAllWithin(client, [queued('c1', 2_000), { type: 'TimeAdvanced', at: 2_500 }]));

    expect(result.map((decisions) => decisions.map((d) => d.type))).toEqual([['CallAssigned'], []]);
    expect(queries).toHaveLength(3);
    expect(queries[0]).toMatch(/pg_advisory_xact_lock.*;.*max\(seq\)/s);
    expect(queries[2]).toMatch(/^with /);
    // Every effect of the chunk committed: its journal rows, the decision's event, its offer and its outbox row.
    expect(await count('select max(seq)::int as n from routing_input_journal')).toBe(6);
    expect(await count(`select count(*)::int as n from es_events where stream_id = 'routing-call-c1' and event_type = 'CallAssigned'`)).toBe(1);
    expect(await count(`select count(*)::int as n from routing_offer_events where call_id = 'c1' and agent_id = 'a1'`)).toBe(1);
    expect(await count('select count(*)::int as n from es_outbox where topic = $1', [ASSIGNMENTS])).toBe(1);
    await notified.received;
  } finally {
    await notified.stop();
  }
});

it('writes a chunk without decisions in two round trips and leaves the outbox alone', async () => {
  const { result, queries } = await inCountedTransaction((client) => router.applyAllWithin(client, [{ type: 'AgentLoggedIn', agentId: 'a2', queueIds: ['q1'], at: 2_000 }]));

  expect(result).toEqual([[]]);
  expect(queries).toHaveLength(2);
  expect(queries[1]).not.toContain('es_outbox');
  expect(await count('select max(seq)::int as n from routing_input_journal')).toBe(5);
  expect(await count('select count(*)::int as n from es_outbox')).toBe(0);
});

it('numbers a call\'s published events on from those already committed', async () => {
  await router.apply(queued('c1', 2_000));
  await router.apply({ type: 'RingNoAnswer', callId: 'c1', agentId: 'a1', at: 3_000 });

  const { rows } = await pool.query<{ sequence: number }>(
    `select (convert_from(value, 'utf8')::jsonb ->> 'sequence')::int as sequence from es_outbox where message_key = 'c1' order by position`);
  expect(rows.map((r) => r.sequence)).toEqual([1, 2]);
});

it('rebuilds the engine from the committed journal after a chunk rolled back, so the next chunk decides as if it never happened', async () => {
  const { result } = await inCountedTransaction((client) => router.applyAllWithin(client, [queued('lost', 2_000)]), 'rollback');
  expect(result.flat().map((d) => d.type)).toEqual(['CallAssigned']);
  // In memory the engine is ahead of the journal: it offered the rolled-back call.
  expect(router.engine.book.offers.has('lost')).toBe(true);

  // a1 is still free in the committed journal, so the next call gets it.
  const [decision] = await router.apply(queued('c2', 3_000));
  expect(decision).toMatchObject({ type: 'CallAssigned', data: { callId: 'c2', agentId: 'a1' } });
  expect(router.engine.book.offers.has('lost')).toBe(false);

  const journal = (await pool.query<{ seq: string; input: unknown }>('select seq, input from routing_input_journal order by seq')).rows;
  expect(journal.map((r) => Number(r.seq))).toEqual([1, 2, 3, 4, 5]);
  const folded = new RoutingEngine();
  journal.forEach((r) => folded.handle(decodeInput(r.input)));
  expect(JSON.parse(encodeEngine(router.engine))).toEqual(JSON.parse(encodeEngine(folded)));
  expect(await count(`select count(*)::int as n from es_events where stream_id = 'routing-call-lost'`)).toBe(0);
  expect(await count('select count(*)::int as n from es_outbox where topic = $1', [ASSIGNMENTS])).toBe(1);
});
