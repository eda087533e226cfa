import { Kafka, logLevel, Producer } from 'kafkajs';
import { Pool, PoolClient } from 'pg';
import { createTopics, freshDatabase, testInfra, testKafka, uniqueName } from '@switchboard/testing';
import { ConsumerRunner, createIdempotentProducer, deadLetterTopic, inTransaction, migrateEventStore, OutboxRelay, packOutboxRecords, writeOutbox, writeOutboxBatch } from '../src';
import { decodeProbe, ProbeEvent, probeEvents } from './fixtures/probe-codec';
import { readAll, recordCount } from './kafka-read';
import { eventually, killWorkers, spawnWorker } from './workers';

describe('OutboxRelay against the real broker and database', () => {
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
  });
  afterEach(killWorkers);
  afterAll(async () => {
    await producer.disconnect();
    await pool.end();
    await db.drop();
  });

  async function newTopic(partitions: number): Promise<string> {
    const topic = uniqueName('it-relay');
    const admin = kafka.admin();
    await admin.connect();
    await createTopics(admin, [topic, deadLetterTopic(topic)], partitions);
    await admin.disconnect();
    return topic;
  }
  const message = (topic: string, e: ProbeEvent) => ({ topic, key: e.key, value: JSON.stringify(e) });
  const outboxRows = async () => (await pool.query('select count(*)::int as n from es_outbox')).rows[0].n as number;

  it('publishes nothing while a writer that took an earlier position is still open, then both in commit-safe order', async () => {
    const topic = await newTopic(1);
    const [a, b] = probeEvents(2, 1);
    const txA = await pool.connect();
    const relay = new OutboxRelay({ pool, producer, name: uniqueName('relay') });
    try {
      await txA.query('begin');
      await writeOutbox(txA, [message(topic, a)]);
      await inTransaction(pool, (txB) => writeOutbox(txB, [message(topic, b)]));
      expect(await relay.publishBatch()).toBe(0);
      await txA.query('commit');
    } finally {
      txA.release();
    }
    await eventually('both rows published', async () => (await relay.publishBatch(), relay.published === 2));
    expect((await readAll(kafka, topic, 2)).map((r) => JSON.parse(r.value).id)).toEqual([a.id, b.id]);
    expect(await outboxRows()).toBe(0);
  });

  it('loses nothing across SIGKILLs between the Kafka ack and the checkpoint, and consumers apply every event once', async () => {
    const topic = await newTopic(2);
    const events = probeEvents(300);
    for (let i = 0; i < events.length; i += 10) {
      await inTransaction(pool, (c: PoolClient) => writeOutbox(c, events.slice(i, i + 10).map((e) => message(topic, e))));
    }
    const env = { DATABASE_URL: db.url, KAFKA_BROKERS: testInfra().brokers.join(','), RELAY_NAME: uniqueName('relay'), BATCH_SIZE: '50', CRASH_AFTER_PUBLISH: '2' };
    let killed = 0;
    for (let cycle = 0; cycle < 20 && (await outboxRows()) > 0; cycle++) {
      const worker = spawnWorker('relay-worker.ts', env);
      await worker.exited;
      if (worker.signalCode === 'SIGKILL') killed++;
    }
    expect(await outboxRows()).toBe(0);
    expect(killed).toBeGreaterThanOrEqual(3);

    const onTopic = await readAll(kafka, topic, await recordCount(kafka, topic));
    const ids = onTopic.map((r) => (JSON.parse(r.value) as ProbeEvent).id);
    expect(new Set(ids)).toEqual(new Set(events.map((e) => e.id)));
    expect(ids.length).toBeGreaterThan(events.length); // the crash window was hit: batches were republished
    expect(firstSeqsByKey(onTopic.map((r) => JSON.parse(r.value)))).toEqual(firstSeqsByKey(events));

    const dlq = createIdempotentProducer(kafka);
    await dlq.connect();
    const runner = new ConsumerRunner({
      kafka, pool, groupId: uniqueName('g'), topics: [topic], deadLetterProducer: dlq, decode: decodeProbe,
      handle: async (e, { client }) => void (await client.query('insert into effects (event_id, k, seq) values ($1, $2, $3)', [e.id, e.key, e.seq])),
    });
    await runner.start();
    try {
      await eventually('every message consumed', async () => (await pool.query('select count(*)::int as n from effects')).rows[0].n >= events.length);
      await new Promise((r) => setTimeout(r, 1000)); // duplicates come after the originals; give them time to (not) apply
    } finally {
      await runner.stop();
      await dlq.disconnect();
    }
    const { rows } = await pool.query('select count(*)::int as n, count(distinct event_id)::int as d from effects');
    expect(rows[0]).toEqual({ n: events.length, d: events.length });
  });

  it('keeps every row in the outbox while Kafka is unreachable', async () => {
    const topic = uniqueName('it-relay-down');
    await inTransaction(pool, (c) => writeOutbox(c, probeEvents(3).map((e) => message(topic, e))));
    const down = new Kafka({ clientId: 'relay-down', brokers: ['127.0.0.1:1'], logLevel: logLevel.NOTHING, connectionTimeout: 300, retry: { retries: 1, initialRetryTime: 100 } });
    const name = uniqueName('relay');
    const errors: Error[] = [];
    const downProducer = createIdempotentProducer(down);
    await expect(downProducer.connect()).rejects.toThrow();
    const relay = new OutboxRelay({ pool, producer: downProducer, name, pollIntervalMs: 50, onError: (e) => errors.push(e) });
    await expect(relay.publishBatch()).rejects.toThrow();
    await relay.start(); // the polling loop keeps failing and keeps the rows
    await eventually('the relay loop to fail on the broker', async () => errors.length >= 1);
    await relay.stop();
    expect(relay.published).toBe(0);
    expect(await outboxRows()).toBe(3);
    expect((await pool.query('select count(*)::int as n from es_outbox_checkpoints where relay = $1', [name])).rows[0].n).toBe(0);
    await pool.query('delete from es_outbox'); // leave the table clean for other tests in this file
  });

  it('replaces a producer whose sequence numbers the broker rejects, and publishes everything from the checkpoint', async () => {
    const topic = await newTopic(1);
    const events = probeEvents(4, 1);
    await inTransaction(pool, (c) => writeOutbox(c, events.map((e) => message(topic, e))));
    // What kafkajs throws forever after a broker restart left its idempotent sequence out of step (error code 45).
    const wedged = { sendBatch: async () => { throw Object.assign(new Error('The broker received an out of order sequence number'), { type: 'OUT_OF_ORDER_SEQUENCE_NUMBER' }); } } as unknown as Producer;
    const errors: string[] = [];
    const relay = new OutboxRelay({ pool, producer: wedged, name: uniqueName('relay'), pollIntervalMs: 50, onError: (e) => errors.push(e.message),
      createProducer: () => createIdempotentProducer(kafka) });
    await relay.start();
    try {
      await eventually('the rows published by the fresh producer', async () => relay.published === events.length);
    } finally {
      await relay.stop();
    }
    expect(relay.producerRenewals).toBe(1);
    expect(errors).toEqual(['The broker received an out of order sequence number']);
    expect((await readAll(kafka, topic, events.length)).map((r) => JSON.parse(r.value).id)).toEqual(events.map((e) => e.id));
    expect(await outboxRows()).toBe(0);
  });

  it('splits a backlog larger than one produce request, in order, and sets aside a message the broker can never take', async () => {
    const topic = await newTopic(1);
    const big = (i: number) => ({ topic, key: 'k', value: JSON.stringify({ id: `big-${i}`, key: 'k', seq: i, pad: 'x'.repeat(100_000) }) });
    const tooBig = { topic, key: 'k', value: JSON.stringify({ id: 'huge', key: 'k', seq: 99, pad: 'x'.repeat(2_000_000) }) };
    await inTransaction(pool, (tx) => writeOutbox(tx, [...Array.from({ length: 12 }, (_, i) => big(i)), tooBig, big(12)]));
    const errors: string[] = [];
    const relay = new OutboxRelay({ pool, producer, name: uniqueName('relay'), maxBatchBytes: 300_000, onError: (e) => errors.push(e.message) });
    const first = await relay.publishBatch();
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThan(12);
    while ((await relay.publishBatch()) > 0) { /* drain */ }
    expect(relay.published).toBe(13);
    const ids = (await readAll(kafka, topic, 13)).map((r) => JSON.parse(r.value).id);
    expect(ids).toEqual([...Array.from({ length: 12 }, (_, i) => `big-${i}`), 'big-12']);
    const { rows } = await pool.query(`select topic, reason from es_outbox_rejected`);
    expect(rows).toEqual([{ topic, reason: expect.stringMatching(/larger than the max message size/) }]);
    expect(errors).toEqual([expect.stringContaining('set aside in es_outbox_rejected')]);
    expect(await outboxRows()).toBe(0);
  });

  it('publishes the records of packed rows one by one, in order, next to ordinary rows, and counts records', async () => {
    const topic = await newTopic(3);
    const headers = { 'content-type': 'application/cloudevents+json; charset=UTF-8' };
    const frames = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ key: 'link-1', value: Buffer.from(JSON.stringify({ id: `f-${from + i}`, pad: 'x'.repeat(1000) })), headers }));
    const ordinary = (id: string) => ({ topic, key: `call-${id}`, value: JSON.stringify({ id }) });
    const packs = packOutboxRecords(topic, frames(0, 300), 100_000);
    expect(packs.length).toBeGreaterThan(2);
    expect(packs.every((p) => p.value.length <= 100_000)).toBe(true);
    await inTransaction(pool, (tx) => writeOutboxBatch(tx, [...packs, ordinary('a')]));
    await inTransaction(pool, (tx) => writeOutboxBatch(tx, [ordinary('b'), ...packOutboxRecords(topic, frames(300, 5))]));
    expect(await outboxRows()).toBe(packs.length + 3); // 300 frames of ~1 KB in packs of up to 100 KB, a, b, 5 frames in one
    const relay = new OutboxRelay({ pool, producer, name: uniqueName('relay') });
    while ((await relay.publishBatch()) > 0) { /* drain */ }
    expect(relay.published).toBe(307);
    const onTopic = await readAll(kafka, topic, 307);
    const linkRecords = onTopic.filter((r) => r.key === 'link-1');
    expect(linkRecords.map((r) => JSON.parse(r.value).id)).toEqual(Array.from({ length: 305 }, (_, i) => `f-${i}`));
    expect(new Set(linkRecords.map((r) => JSON.stringify(r.headers)))).toEqual(new Set([JSON.stringify(headers)]));
    expect(onTopic.filter((r) => r.key !== 'link-1').map((r) => JSON.parse(r.value).id).sort()).toEqual(['a', 'b']);
    expect(await outboxRows()).toBe(0);
  });
});

/** For each key, the sequence numbers in the order of their first occurrence. */
function firstSeqsByKey(events: ProbeEvent[]): Record<string, number[]> {
  const seen = new Set<string>();
  const out: Record<string, number[]> = {};
  for (const e of events) {
    if (seen.has(e.id)) continue;
    seen.add(e.id);
    (out[e.key] ??= []).push(e.seq);
  }
  return out;
}
