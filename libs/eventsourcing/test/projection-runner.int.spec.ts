import { Kafka, Producer } from 'kafkajs';
import { Pool } from 'pg';
import { createTopics, freshDatabase, testInfra, testKafka, uniqueName } from '@switchboard/testing';
import { createIdempotentProducer, deadLetterTopic, migrateEventStore, Projection, ProjectionProgress, ProjectionRunner } from '../src';
import { answered, queued } from './fixtures/call-events';
import { callsPerAgentBatch, callsPerAgentV1, callsPerAgentV2 } from './fixtures/call-stats.projection';
import { eventually, killWorkers, spawnWorker } from './workers';

const CALLS = 90;
const quiet = { info: () => undefined };

describe('ProjectionRunner against the real broker and database', () => {
  let kafka: Kafka;
  let producer: Producer;
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let pool: Pool;
  const running: ProjectionRunner[] = [];

  beforeAll(async () => {
    kafka = testKafka();
    producer = createIdempotentProducer(kafka);
    await producer.connect();
    db = await freshDatabase();
    pool = new Pool({ connectionString: db.url });
    await migrateEventStore(pool);
  });
  afterEach(async () => {
    killWorkers();
    await Promise.all(running.splice(0).map((r) => r.stop()));
  });
  afterAll(async () => {
    await producer.disconnect();
    await pool.end();
    await db.drop();
  });

  /** A topic with CALLS queued + answered calls, unique projection name. */
  async function callsTopic(): Promise<{ topic: string; name: string }> {
    const topic = uniqueName('it-projection');
    const admin = kafka.admin();
    await admin.connect();
    await createTopics(admin, [topic, deadLetterTopic(topic)], 2);
    await admin.disconnect();
    const events = Array.from({ length: CALLS }, (_, n) => [queued(n), answered(n)]).flat();
    await producer.send({ topic, acks: -1, messages: events.map((e) => ({ key: e.subject, value: JSON.stringify(e) })) });
    return { topic, name: uniqueName('calls').replace(/-/g, '_') };
  }

  async function run(p: Projection, onProgress?: (p: ProjectionProgress) => void): Promise<ProjectionRunner> {
    const runner = new ProjectionRunner(p, { kafka, pool, deadLetterProducer: producer, progressIntervalMs: 100, chunkSize: 10, logger: quiet, onProgress });
    running.push(runner);
    await runner.start();
    return runner;
  }
  const read = async (view: string) => (await pool.query(`select * from "${view}" order by agent_id`)).rows;
  const expected = (withWait: boolean) => ['a0', 'a1', 'a2'].map((agent, i) => {
    const ns = Array.from({ length: CALLS }, (_, n) => n).filter((n) => n % 3 === i);
    return withWait ? { agent_id: agent, calls: ns.length, total_wait: ns.reduce((s, n) => s + (n % 7) + 1, 0) } : { agent_id: agent, calls: ns.length };
  });

  it('rebuilds a new version beside the served one, reports progress, and swaps the view when caught up', async () => {
    const { topic, name } = await callsTopic();
    await (await run(callsPerAgentV1(name, topic))).whenActive();
    expect(await read(name)).toEqual(expected(false));

    const progress: ProjectionProgress[] = [];
    const v2 = await run(callsPerAgentV2(name, topic, 30), (p) => progress.push(p));
    await eventually('v2 rebuilding', async () => (await pool.query(`select coalesce(sum(calls), 0)::int as n from "${name}_v2"`)).rows[0].n > 0);
    expect(await read(name)).toEqual(expected(false)); // readers still get v1 while v2 rebuilds
    await v2.whenActive();
    expect(await read(name)).toEqual(expected(true));

    expect(progress.some((p) => p.lag > 0 && !p.active)).toBe(true);
    const last = progress[progress.length - 1];
    expect(last).toMatchObject({ name, version: 2, lag: 0, applied: CALLS, active: true });
    expect(progress.some((p) => p.eventsPerSecond > 0)).toBe(true);
    // Re-running v1 (say, an old replica) neither swaps back nor fails its idempotent init.
    const stale = await run(callsPerAgentV1(name, topic));
    await eventually('stale v1 caught up', async () => (await pool.query(`select sum(calls)::int as n from "${name}_v1"`)).rows[0].n === CALLS);
    await new Promise((r) => setTimeout(r, 300));
    expect(await read(name)).toEqual(expected(true));
    await stale.stop();
  });

  it('applies whole chunks through applyBatch, once per event id, falling back to apply when a batch throws', async () => {
    const { topic, name } = await callsTopic();
    const duplicates = [answered(0), answered(1), answered(2)];
    const boom = { ...answered(CALLS), data: { ...answered(CALLS).data, agentId: 'boom' } };
    await producer.send({ topic, acks: -1, messages: [...duplicates, boom].map((e) => ({ key: e.subject, value: JSON.stringify(e) })) });
    const batches: number[] = [];
    await (await run(callsPerAgentBatch(name, topic, batches))).whenActive();
    expect(await read(name)).toEqual([...expected(false), { agent_id: 'boom', calls: 1 }]);
    expect(Math.max(...batches)).toBeGreaterThan(1);
    expect(batches.reduce((s, n) => s + n, 0)).toBeGreaterThanOrEqual(CALLS + 1); // the failed chunk was offered whole, then per event
  });

  it('yields the same figures as a clean run after a SIGKILL mid-rebuild', async () => {
    const { topic, name } = await callsTopic();
    const env = { DATABASE_URL: db.url, KAFKA_BROKERS: testInfra().brokers.join(','), TOPIC: topic, PROJECTION: name };
    const sum = async () => (await pool.query(`select coalesce(sum(calls), 0)::int as n from "${name}_v2"`)).rows[0]?.n ?? 0;
    const first = spawnWorker('projection-worker.ts', { ...env, SLOW_MS: '20' });
    await eventually('some events applied before the kill', async () => (await pool.query(`select to_regclass($1) is not null as ok`, [`${name}_v2`])).rows[0].ok && (await sum()) >= 20);
    first.kill('SIGKILL');
    await first.exited;
    expect(await sum()).toBeLessThan(CALLS);

    spawnWorker('projection-worker.ts', env);
    await eventually('the restarted rebuild swapped in', async () =>
      (await pool.query('select active_version from es_projections where name = $1', [name])).rows[0]?.active_version === 2);
    await (await run(callsPerAgentV2(`${name}_clean`, topic))).whenActive();
    expect(await read(name)).toEqual(await read(`${name}_clean`));
    expect(await read(name)).toEqual(expected(true));
  });
});
