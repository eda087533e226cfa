import { Kafka, Producer } from 'kafkajs';
import { Pool, PoolClient } from 'pg';
import { createTopics, freshDatabase, testInfra, testKafka, uniqueName } from '@switchboard/testing';
import { Registry } from 'prom-client';
import { BatchItem, cloudEventDecoder, ConsumerRunner, createIdempotentProducer, deadLetterTopic, migrateEventStore } from '../src';
import { answered } from './fixtures/call-events';
import { decodeProbe, ProbeEvent, probeEvents } from './fixtures/probe-codec';
import { readAll } from './kafka-read';
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

  it('without event-id dedupe: exactly once per partition across a SIGKILL from the stored offsets alone, no id rows, a republished id applied again', async () => {
    const topic = await newTopic(2);
    const events = probeEvents(300);
    const repeatedInChunk = events.slice(0, 1); // published twice back to back: the same chunk drops the repeat
    await producer.send({ topic, acks: -1, messages: [...repeatedInChunk, ...events].map((e) => ({ key: e.key, value: JSON.stringify(e) })) });
    const groupId = uniqueName('g');
    const env = { DATABASE_URL: db.url, KAFKA_BROKERS: testInfra().brokers.join(','), GROUP_ID: groupId, TOPIC: topic, DEDUPE_EVENT_IDS: 'off' };

    const first = spawnWorker('consumer-worker.ts', { ...env, SLOW_MS: '5' });
    await eventually('some effects before the kill', async () => (await count(pool)) >= 60);
    first.kill('SIGKILL');
    await first.exited;
    expect(await count(pool)).toBeLessThan(events.length);

    const second = spawnWorker('consumer-worker.ts', env);
    await eventually('all effects after restart', async () => (await count(pool)) >= events.length);
    await new Promise((r) => setTimeout(r, 1500)); // would expose any redelivered chunk applied twice
    const { rows } = await pool.query('select count(*)::int as n, count(distinct event_id)::int as d from effects');
    expect(rows[0]).toEqual({ n: events.length, d: events.length });
    expect((await pool.query('select count(*)::int as n from es_consumer_processed where consumer_group = $1', [groupId])).rows[0].n).toBe(0);

    // What the option gives up: the same id published again later is applied again (handlers must be idempotent).
    await producer.send({ topic, acks: -1, messages: events.slice(0, 5).map((e) => ({ key: e.key, value: JSON.stringify(e) })) });
    await eventually('republished events applied', async () => (await count(pool)) >= events.length + 5);
    second.kill('SIGTERM');
    await second.exited;
    expect((await pool.query('select count(*)::int as n, count(distinct event_id)::int as d from effects')).rows[0]).toEqual({ n: events.length + 5, d: events.length });
  });

  it('starts a new database from the first offset even when Kafka keeps the group offsets of an earlier database', async () => {
    const topic = await newTopic(2);
    const events = probeEvents(40);
    await producer.send({ topic, acks: -1, messages: events.map((e) => ({ key: e.key, value: JSON.stringify(e) })) });
    const groupId = uniqueName('g');
    // An earlier deployment of the same group, on another database, consumed everything and committed it to Kafka.
    const admin = kafka.admin();
    await admin.connect();
    const ends = await admin.fetchTopicOffsets(topic);
    await admin.setOffsets({ groupId, topic, partitions: ends.map((p) => ({ partition: p.partition, offset: p.high })) });
    await admin.disconnect();

    const runner = new ConsumerRunner({
      kafka, pool, groupId, topics: [topic], deadLetterProducer: producer, decode: decodeProbe,
      handle: async (e, { client }) => { await client.query('insert into effects (event_id, k, seq) values ($1, $2, $3)', [e.id, e.key, e.seq]); },
    });
    await runner.start();
    await eventually('every event applied from the start', async () => (await count(pool)) === events.length);
    await runner.stop();
    expect((await pool.query('select count(distinct event_id)::int as d from effects')).rows[0].d).toBe(events.length);
  });

  it.each([true, false])('stores and resumes from the offsets of a group id that needs quoting (inlined literals), dedupe %s', async (dedupeEventIds) => {
    const topic = await newTopic(2);
    const events = probeEvents(30);
    await producer.send({ topic, acks: -1, messages: events.slice(0, 20).map((e) => ({ key: e.key, value: JSON.stringify(e) })) });
    const groupId = `${uniqueName('g')}-o'brien\\x`;
    const make = () => new ConsumerRunner({
      kafka, pool, groupId, topics: [topic], deadLetterProducer: producer, decode: decodeProbe, dedupeEventIds, partitionsPerTransaction: 2,
      handleBatch: async (items, { client }) => { await client.query('insert into effects select * from unnest($1::text[], $2::text[], $3::int[])', [items.map((i) => i.value.id), items.map((i) => i.value.key), items.map((i) => i.value.seq)]); },
    });
    const first = make();
    await first.start();
    await eventually('the first 20 applied', async () => (await count(pool)) === 20);
    await first.stop();
    const stored = (await pool.query<{ n: string }>('select sum(next_offset)::text as n from es_consumer_offsets where consumer_group = $1', [groupId])).rows[0].n;
    expect(stored).toBe('20');
    await producer.send({ topic, acks: -1, messages: events.slice(20).map((e) => ({ key: e.key, value: JSON.stringify(e) })) });
    const second = make();
    await second.start();
    await eventually('the rest applied', async () => (await count(pool)) === events.length);
    await new Promise((r) => setTimeout(r, 500)); // would expose a re-application from the start
    await second.stop();
    expect((await pool.query('select count(*)::int as n, count(distinct event_id)::int as d from effects')).rows[0]).toEqual({ n: events.length, d: events.length });
  });

  it('copies the stored offsets to Kafka coalesced, not per chunk, and all of them on stop', async () => {
    const topic = await newTopic(2);
    const events = probeEvents(60);
    await producer.send({ topic, acks: -1, messages: events.map((e) => ({ key: e.key, value: JSON.stringify(e) })) });
    const groupId = uniqueName('g');
    const runner = new ConsumerRunner({
      kafka, pool, groupId, topics: [topic], deadLetterProducer: producer, decode: decodeProbe, chunkSize: 5, kafkaCommitIntervalMs: 60_000,
      handle: async (e, { client }) => { await client.query('insert into effects (event_id, k, seq) values ($1, $2, $3)', [e.id, e.key, e.seq]); },
    });
    const admin = kafka.admin();
    await admin.connect();
    const kafkaOffsets = async () => (await admin.fetchOffsets({ groupId, topics: [topic] }))[0].partitions.map((p) => [p.partition, p.offset]).sort();
    try {
      await runner.start();
      await eventually('every event applied', async () => (await count(pool)) === events.length);
      const stored = (await pool.query('select partition, next_offset::text as o from es_consumer_offsets where consumer_group = $1 order by 1', [groupId])).rows.map((r) => [r.partition, r.o]);
      expect(stored.reduce((n, [, o]) => n + Number(o), 0)).toBe(events.length);
      expect(await kafkaOffsets()).toEqual([[0, '-1'], [1, '-1']]); // a dozen chunks, no commit within the interval
      await runner.stop();
      expect(await kafkaOffsets()).toEqual(stored);
    } finally {
      await admin.disconnect();
    }
  });

  it('rejects a negative Kafka commit interval, naming the option', () => {
    expect(() => new ConsumerRunner({ kafka, pool, groupId: 'g', topics: ['t'], deadLetterProducer: producer, decode: decodeProbe, handle: async () => undefined, kafkaCommitIntervalMs: -1 }))
      .toThrow('kafkaCommitIntervalMs: expected a number of ms >= 0, got -1');
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
    expect(dead.map((m) => [m.headers['dlq-reason'], m.headers['dlq-original-offset']])).toEqual([['invalid-json', '1'], ['handler-error', '2']]);
    expect(dead[0].headers['dlq-error']).toBe('value is not JSON');
    expect(dead[1].headers['dlq-error']).toBe('after 2 attempts: handler rejects boom');
    expect([dead[0].headers['dlq-attempts'], dead[1].headers['dlq-attempts']]).toEqual(['0', '2']);
    expect(dead[1].value).toContain('"id":"boom"');
    expect((await pool.query('select event_id from effects order by seq')).rows.map((r) => r.event_id)).toEqual(['ev-0', 'ev-1']);
  });

  it('skips unknown CloudEvents types without a handler or DLQ, dead-letters invalid ones, and counts both', async () => {
    const topic = await newTopic(1);
    const [a, b] = [answered(1), answered(2)];
    await producer.send({ topic, acks: -1, messages: [
      a, { ...answered(3), type: 'switchboard.telephony.call.teleported.v1' }, { ...answered(4), data: { ...answered(4).data, waitSeconds: 'long' } }, b,
    ].map((e) => ({ key: e.subject, value: JSON.stringify(e) })) });
    const registry = new Registry();
    const groupId = uniqueName('g');
    const runner = new ConsumerRunner({
      kafka, pool, groupId, topics: [topic], deadLetterProducer: producer, decode: cloudEventDecoder(), metrics: registry,
      handle: async (e, { client }) => void (await client.query('insert into effects (event_id, k, seq) values ($1, $2, 0)', [e.id, e.subject])),
    });
    const lagReported = async () => (await registry.getMetricsAsJSON()).find((m) => m.name === 'consumer_lag')!.values.length > 0;
    await runner.start();
    try {
      // The metrics are recorded just after the commit; wait for both.
      await eventually('offsets stored past all four records and the lag reported', async () =>
        (await pool.query('select next_offset::int as n from es_consumer_offsets where consumer_group = $1', [groupId])).rows[0]?.n === 4 && (await lagReported()));
    } finally {
      await runner.stop();
    }

    expect((await pool.query('select event_id from effects order by k')).rows.map((r) => r.event_id)).toEqual([a.id, b.id]);
    const [dead] = await readAll(kafka, deadLetterTopic(topic), 1);
    expect([dead.headers['dlq-reason'], dead.headers['dlq-original-offset']]).toEqual(['invalid-data', '2']);
    expect(dead.headers['dlq-error']).toMatch(/^data\.waitSeconds: /);
    const metrics = await registry.getMetricsAsJSON();
    const value = (name: string) => metrics.find((m) => m.name === name)!.values.map((v) => [v.labels.reason ?? v.labels.partition ?? '', v.value]);
    expect(value('consumer_messages_processed_total')).toEqual([['', 2]]);
    expect(value('consumer_messages_ignored_total')).toEqual([['unknown-type', 1]]);
    expect(value('consumer_messages_dead_lettered_total')).toEqual([['invalid-data', 1]]);
    expect(value('consumer_lag')).toEqual([['0', 0]]);
  });

  it('applies chunks with a batch handler and falls back to one message at a time when a chunk fails', async () => {
    const topic = await newTopic(1);
    const events = [...probeEvents(30), { id: 'boom', key: 'k0', seq: 99, fail: true }, ...probeEvents(40).slice(30)];
    await producer.send({ topic, acks: -1, messages: [...events, ...events.slice(0, 5)].map((e) => ({ key: e.key, value: JSON.stringify(e) })) });
    const batches: number[] = [];
    const runner = new ConsumerRunner({
      kafka, pool, groupId: uniqueName('g'), topics: [topic], deadLetterProducer: producer, decode: decodeProbe, maxAttempts: 1, chunkSize: 100,
      handleBatch: async (items, { client }) => {
        batches.push(items.length);
        if (items.some((i) => i.value.fail)) throw new Error('batch contains boom');
        await client.query('insert into effects select * from unnest($1::text[], $2::text[], $3::int[])',
          [items.map((i) => i.value.id), items.map((i) => i.value.key), items.map((i) => i.value.seq)]);
      },
    });
    await runner.start();
    await eventually('the good events applied', async () => (await count(pool)) === 40);
    const [dead] = await readAll(kafka, deadLetterTopic(topic), 1);
    await runner.stop();
    expect([dead.headers['dlq-reason'], dead.headers['dlq-original-offset']]).toEqual(['handler-error', '30']);
    expect((await pool.query('select count(*)::int as n, count(distinct event_id)::int as d from effects')).rows[0]).toEqual({ n: 40, d: 40 });
    expect(batches[0]).toBeGreaterThan(1); // a whole chunk at once first, then one by one after it failed
    expect(batches.slice(1).every((n) => n === 1)).toBe(true);
  });

  describe('a chunk\'s round trips (ADR 0017): the opening travels with the claims and the batch savepoint', () => {
    /** A pool whose checkouts record the text of every query, one list per checkout. */
    function recordingPool(): { pool: Pool; checkouts: string[][] } {
      const recording = new Pool({ connectionString: db.url, max: 2 });
      const checkouts: string[][] = [];
      const wrapped = new WeakSet<PoolClient>();
      let current: string[] = [];
      recording.on('acquire', (client) => {
        current = [];
        checkouts.push(current);
        if (wrapped.has(client)) return;
        wrapped.add(client);
        const query = client.query.bind(client) as (...args: unknown[]) => unknown;
        (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
          current.push(typeof args[0] === 'string' ? args[0] : (args[0] as { text: string }).text);
          return query(...args);
        };
      });
      return { pool: recording, checkouts };
    }
    /** The checkouts that ran the handler, after the first (which also reads the offsets stored before it was assigned). */
    const laterChunks = (checkouts: string[][]) => checkouts.filter((qs) => qs.some((q) => q.startsWith('insert into effects'))).slice(1);

    it.each([
      ['with event-id dedupe', true, /^begin;\s*insert into es_consumer_processed[\s\S]*returning event_id;\s*savepoint sb_batch$/],
      ['without it (offsets read under the partition lock)', false, /^begin;[\s\S]*pg_advisory_xact_lock[\s\S]*from es_consumer_offsets[\s\S]*;\s*savepoint sb_batch$/],
    ])('%s: three round trips per chunk — opening, the handler\'s statement, offsets with the commit', async (_name, dedupe, opening) => {
      const topic = await newTopic(1);
      const { pool: recording, checkouts } = recordingPool();
      const events = probeEvents(30);
      const runner = new ConsumerRunner({
        kafka, pool: recording, groupId: uniqueName('g'), topics: [topic], deadLetterProducer: producer, decode: decodeProbe, chunkSize: 100, dedupeEventIds: dedupe,
        handleBatch: async (items, { client }) => {
          await client.query('insert into effects select * from unnest($1::text[], $2::text[], $3::int[])',
            [items.map((i) => i.value.id), items.map((i) => i.value.key), items.map((i) => i.value.seq)]);
        },
      });
      await runner.start();
      try {
        for (const part of [events.slice(0, 10), events.slice(10, 20), events.slice(20)]) {
          const before = await count(pool);
          await producer.send({ topic, acks: -1, messages: part.map((e) => ({ key: e.key, value: JSON.stringify(e) })) });
          await eventually('the part applied', async () => (await count(pool)) === before + part.length);
        }
      } finally {
        await runner.stop();
        await recording.end();
      }
      const later = laterChunks(checkouts);
      expect(later.length).toBeGreaterThanOrEqual(2);
      for (const queries of later) {
        expect(queries).toHaveLength(3);
        expect(queries[0].trim()).toMatch(opening);
        expect(queries[1]).toMatch(/^insert into effects/);
        expect(queries[2]).toMatch(/^insert into es_consumer_offsets[\s\S]*commit$/);
      }
      expect((await pool.query('select count(*)::int as n, count(distinct event_id)::int as d from effects')).rows[0]).toEqual({ n: 30, d: 30 });
    });
  });

  describe('partitionsPerTransaction: a fetch of several partitions applied in one transaction', () => {
    const PARTITIONS = 4;
    /** Ten events per partition, sent before the consumer starts so that its first fetch holds every partition. */
    async function publishAcrossPartitions(topic: string, bad?: { partition: number; id: string }): Promise<ProbeEvent[]> {
      const events = probeEvents(10 * PARTITIONS);
      const messages = events.map((e, i) => ({ partition: i % PARTITIONS, value: JSON.stringify(e) }));
      if (bad) messages.splice(PARTITIONS * 5, 0, { partition: bad.partition, value: JSON.stringify({ id: bad.id, key: 'bad', seq: 0, fail: true }) });
      await producer.send({ topic, acks: -1, messages });
      return events;
    }
    const offsetsOf = async (groupId: string) => (await pool.query<{ partition: number; next_offset: string; tx: string }>(
      'select partition, next_offset, xmin::text as tx from es_consumer_offsets where consumer_group = $1 order by partition', [groupId])).rows;
    const insertEffects = (client: PoolClient, items: BatchItem<ProbeEvent>[]) => client.query('insert into effects select * from unnest($1::text[], $2::text[], $3::int[])',
      [items.map((i) => i.value.id), items.map((i) => i.value.key), items.map((i) => i.value.seq)]);

    it('commits the partitions once together; a failing item rolls back every partition\'s work of the batch and only it is dead-lettered', async () => {
      const topic = await newTopic(PARTITIONS);
      const events = await publishAcrossPartitions(topic, { partition: 2, id: 'boom' });
      const groupId = uniqueName('g');
      const batches: { ids: string[]; partitions: number[] }[] = [];
      const runner = new ConsumerRunner({
        kafka, pool, groupId, topics: [topic], deadLetterProducer: producer, decode: decodeProbe, maxAttempts: 1, partitionsPerTransaction: PARTITIONS,
        handleBatch: async (items, { client }) => {
          batches.push({ ids: items.map((i) => i.value.id), partitions: [...new Set(items.map((i) => i.partition))].sort() });
          // Written before the failure is noticed: undone with the batch, for every partition in it.
          await insertEffects(client, items.filter((i) => !i.value.fail));
          if (items.some((i) => i.value.fail)) throw new Error('batch contains boom');
        },
      });
      await runner.start();
      try {
        await eventually('the good events applied and all offsets stored', async () =>
          (await count(pool)) === events.length && (await offsetsOf(groupId)).length === PARTITIONS);
        const [dead] = await readAll(kafka, deadLetterTopic(topic), 1);
        expect([dead.headers['dlq-reason'], dead.headers['dlq-original-partition']]).toEqual(['handler-error', '2']);
        expect(dead.value).toContain('"id":"boom"');
      } finally {
        await runner.stop();
      }
      // kafkajs may hand over the first fetch before every partition's start offset is resolved, so which partitions
      // share a fetch is not fixed: judge the fetch that held 'boom', whichever it was.
      const failingAt = batches.findIndex((b) => b.ids.includes('boom'));
      const failing = batches[failingAt];
      expect(failing.ids.length).toBeGreaterThan(1); // the whole fetch at once first
      const retried = batches.slice(failingAt + 1, failingAt + 1 + failing.ids.length);
      expect(retried.every((b) => b.ids.length === 1)).toBe(true); // then one at a time, for every partition of that fetch
      expect(retried.map((b) => b.ids[0]).sort()).toEqual([...failing.ids].sort());
      expect(batches.some((b) => b.partitions.length > 1)).toBe(true); // some fetch did span partitions
      expect((await pool.query('select count(*)::int as n, count(distinct event_id)::int as d from effects')).rows[0]).toEqual({ n: events.length, d: events.length });
      const offsets = await offsetsOf(groupId);
      expect(offsets.map((o) => [o.partition, o.next_offset])).toEqual([[0, '10'], [1, '10'], [2, '11'], [3, '10']]);
      // The failing fetch's partitions were stored by one transaction (the one-at-a-time retry of that fetch).
      expect(new Set(offsets.filter((o) => failing.partitions.includes(o.partition)).map((o) => o.tx)).size).toBe(1);
    });

    it('stores none of the failing transaction\'s effects, offsets or event ids while a message of it fails outside any handler, then applies each once', async () => {
      const topic = await newTopic(PARTITIONS);
      const events = await publishAcrossPartitions(topic);
      const groupId = uniqueName('g');
      let broken = true;
      let failures = 0;
      const runner = new ConsumerRunner({
        kafka, pool, groupId, topics: [topic], deadLetterProducer: producer, maxAttempts: 1, partitionsPerTransaction: PARTITIONS,
        decode: (message) => {
          const decoded = decodeProbe(message);
          // Not a PoisonMessage: the whole transaction fails (as a lost database connection would), not one message.
          if (broken && decoded.eventId === 'ev-21') { failures++; throw new Error('transient failure'); }
          return decoded;
        },
        handleBatch: (items, { client }) => insertEffects(client, items).then(() => undefined),
      });
      await runner.start();
      try {
        await eventually('the transaction failed twice', async () => failures >= 2);
        // Which partitions share ev-21's transaction depends on how kafkajs hands out the first fetches (see the test
        // above): a partition applied in a transaction of its own may be stored meanwhile, but only whole. One
        // statement, so effects, offsets and event ids are read from the same snapshot.
        const { rows: [whileBroken] } = await pool.query<{ effects: string[]; offsets: { partition: number; next: string }[]; processed: number }>(
          `select (select coalesce(json_agg(event_id), '[]') from effects) as effects,
                  (select coalesce(json_agg(json_build_object('partition', partition, 'next', next_offset::text)), '[]') from es_consumer_offsets where consumer_group = $1) as offsets,
                  (select count(*)::int from es_consumer_processed where consumer_group = $1) as processed`, [groupId]);
        const partitionOf = new Map(events.map((e, i) => [e.id, i % PARTITIONS]));
        const effectsPer = new Map<number, number>();
        whileBroken.effects.forEach((id) => effectsPer.set(partitionOf.get(id)!, (effectsPer.get(partitionOf.get(id)!) ?? 0) + 1));
        const failingPartition = partitionOf.get('ev-21')!;
        expect(effectsPer.has(failingPartition)).toBe(false);
        expect(whileBroken.offsets.map((o) => o.partition)).not.toContain(failingPartition);
        expect([...effectsPer.entries()].sort()).toEqual(whileBroken.offsets.map((o) => [o.partition, 10]).sort());
        expect(whileBroken.offsets.every((o) => o.next === '10')).toBe(true);
        expect(whileBroken.processed).toBe(whileBroken.effects.length);
        broken = false;
        await eventually('every event applied after the failure cleared', async () => (await count(pool)) === events.length, 60_000);
        await new Promise((r) => setTimeout(r, 1000)); // would expose a redelivered batch applied twice
      } finally {
        await runner.stop();
      }
      expect((await pool.query('select count(*)::int as n, count(distinct event_id)::int as d from effects')).rows[0]).toEqual({ n: events.length, d: events.length });
      expect((await offsetsOf(groupId)).map((o) => o.next_offset)).toEqual(['10', '10', '10', '10']);
    });
  });

  describe('afterCommit', () => {
    it('runs a task once its transaction committed, never for work rolled back, and stop() waits for running tasks', async () => {
      const topic = await newTopic(2);
      const events = [...probeEvents(20), { id: 'boom', key: 'k0', seq: 99, fail: true }];
      await producer.send({ topic, acks: -1, messages: events.map((e, i) => ({ partition: i % 2, value: JSON.stringify(e) })) });
      const ran: { id: string; committed: boolean }[] = [];
      const finished = new Set<string>();
      const runner = new ConsumerRunner({
        kafka, pool, groupId: uniqueName('g'), topics: [topic], deadLetterProducer: producer, decode: decodeProbe, maxAttempts: 1, partitionsPerTransaction: 2,
        handleBatch: async (items, { client, afterCommit }) => {
          for (const i of items) {
            await client.query('insert into effects values ($1, $2, $3)', [i.value.id, i.value.key, i.value.seq]);
            afterCommit(async () => {
              // Read on another connection: visible only if the transaction that registered the task committed.
              const seen = await pool.query('select 1 from effects where event_id = $1', [i.value.id]);
              ran.push({ id: i.value.id, committed: seen.rowCount === 1 });
              await new Promise((r) => setTimeout(r, 300));
              finished.add(i.value.id);
            });
          }
          if (items.some((i) => i.value.fail)) throw new Error('batch contains boom');
        },
      });
      await runner.start();
      await eventually('the good events applied', async () => (await count(pool)) === 20);
      await readAll(kafka, deadLetterTopic(topic), 1);
      await runner.stop();
      const goodIds = events.filter((e) => !e.fail).map((e) => e.id).sort();
      expect([...finished].sort()).toEqual(goodIds); // stop() returned only after every task finished
      expect(ran.map((r) => r.id).sort()).toEqual(goodIds); // once each; none for the rolled-back batch or for boom
      expect(ran.every((r) => r.committed)).toBe(true);
    });
  });
});

async function count(pool: Pool): Promise<number> {
  return (await pool.query('select count(*)::int as n from effects')).rows[0].n;
}
