import { Kafka, Producer } from 'kafkajs';
import { Pool } from 'pg';
import { createTopics, freshDatabase, testInfra, testKafka, uniqueName } from '@switchboard/testing';
import { ConsumerRunner, createIdempotentProducer, deadLetterTopic, migrateEventStore } from '../src';
import { decodeProbe, probeEvents } from './fixtures/probe-codec';
import { eventually, killWorkers, spawnWorker } from './workers';

describe('ConsumerRunner against the real broker and database', () => {
  let kafka: Kafka;
  let producer: Producer;
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let pool: Pool;

  beforeAll(async () => {
    kafka = testKafka();
    producer = createIdempotentProducer(kafka);
    await producer.connect();
    db = await freshDatabase();
    pool = new Pool({ connectionString: db.url });
    await migrateEventStore(pool);
    await pool.query('create table effects (event_id text not null, k text not null, seq int not null)');
    await pool.query('create table totals (n int not null, seq_sum bigint not null)');
  });
  afterEach(killWorkers);
  afterAll(async () => {
    await producer.disconnect();
    await pool.end();
    await db.drop();
  });
  beforeEach(async () => {
    await pool.query('truncate effects');
    await pool.query('delete from totals');
    await pool.query('insert into totals values (0, 0)');
  });

  async function newTopic(partitions: number): Promise<string> {
    const topic = uniqueName('it-consumer');
    const admin = kafka.admin();
    await admin.connect();
    await createTopics(admin, [topic, deadLetterTopic(topic)], partitions);
    await admin.disconnect();
    return topic;
  }

  it('applies every event exactly once in effect across a SIGKILL mid-batch and duplicate deliveries', async () => {
    const topic = await newTopic(2);
    const events = probeEvents(300);
    const duplicates = events.slice(0, 20); // the same event ids published again, as a relay crash would
    await producer.send({ topic, acks: -1, messages: [...events, ...duplicates].map((e) => ({ key: e.key, value: JSON.stringify(e) })) });
    const env = { DATABASE_URL: db.url, KAFKA_BROKERS: testInfra().brokers.join(','), GROUP_ID: uniqueName('g'), TOPIC: topic };

    const first = spawnWorker('consumer-worker.ts', { ...env, SLOW_MS: '5' });
    await eventually('some effects before the kill', async () => (await count(pool)) >= 60);
    first.kill('SIGKILL');
    await first.exited;
    const appliedAtKill = await count(pool);
    expect(appliedAtKill).toBeLessThan(events.length);

    const second = spawnWorker('consumer-worker.ts', env);
    await eventually('all effects after restart', async () => (await count(pool)) >= events.length);
    await new Promise((r) => setTimeout(r, 1500)); // would expose any late double application
    second.kill('SIGTERM');
    await second.exited;

    const { rows } = await pool.query('select count(*)::int as n, count(distinct event_id)::int as d from effects');
    expect(rows[0]).toEqual({ n: events.length, d: events.length });
    const totals = (await pool.query('select n, seq_sum::int as s from totals')).rows[0];
    expect(totals).toEqual({ n: events.length, s: events.reduce((a, e) => a + e.seq, 0) });
  });

  it('sends poison messages to the DLQ with their reason and keeps the partition moving', async () => {
    const topic = await newTopic(1);
    const good = probeEvents(2);
    await producer.send({ topic, acks: -1, messages: [
      { key: 'k0', value: JSON.stringify(good[0]) },
      { key: 'k0', value: '{not json' },
      { key: 'k0', value: JSON.stringify({ id: 'boom', key: 'k0', seq: 99, fail: true }) },
      { key: 'k0', value: JSON.stringify(good[1]) },
    ] });
    const dlqProducer = createIdempotentProducer(kafka);
    await dlqProducer.connect();
    const runner = new ConsumerRunner({
      kafka, pool, groupId: uniqueName('g'), topics: [topic], deadLetterProducer: dlqProducer, decode: decodeProbe, maxAttempts: 2,
      handle: async (e, { client }) => {
        if (e.fail) throw new Error(`handler rejects ${e.id}`);
        await client.query('insert into effects (event_id, k, seq) values ($1, $2, $3)', [e.id, e.key, e.seq]);
      },
    });
    await runner.start();
    await eventually('both good events applied', async () => (await count(pool)) === 2);
    await runner.stop();
    await dlqProducer.disconnect();

    const dead = await readAll(kafka, deadLetterTopic(topic), 2);
    expect(dead.map((m) => [m.headers['dlq-reason'], m.headers['dlq-original-offset']])).toEqual([['invalid-message', '1'], ['handler-failed', '2']]);
    expect(dead[0].headers['dlq-error']).toBe('value is not JSON');
    expect(dead[1].headers['dlq-error']).toBe('after 2 attempts: handler rejects boom');
    expect(dead[1].value).toContain('"id":"boom"');
    expect((await pool.query('select event_id from effects order by seq')).rows.map((r) => r.event_id)).toEqual(['ev-0', 'ev-1']);
  });
});

async function count(pool: Pool): Promise<number> {
  return (await pool.query('select count(*)::int as n from effects')).rows[0].n;
}

/** Reads `n` records from a topic with a throwaway group. */
export async function readAll(kafka: Kafka, topic: string, n: number): Promise<{ key: string; value: string; headers: Record<string, string> }[]> {
  const consumer = kafka.consumer({ groupId: uniqueName('reader') });
  const out: { key: string; value: string; headers: Record<string, string> }[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`read ${out.length} of ${n} from ${topic}`)), 30_000);
    void consumer.run({ eachMessage: async ({ message }) => {
      out.push({ key: message.key?.toString() ?? '', value: message.value?.toString() ?? '',
        headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])) });
      if (out.length >= n) { clearTimeout(t); resolve(); }
    } });
  });
  await consumer.disconnect();
  return out;
}
