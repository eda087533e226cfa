/**
 * End-to-end pipeline measurements for eventsourcing.bench.ts: outbox → relay → Kafka → ConsumerRunner with one
 * Postgres row per event (batch handler, `unnest` insert), against a bare kafkajs produce/consume loop.
 */
import { Kafka } from 'kafkajs';
import { Pool } from 'pg';
import { ConsumerRunner, createIdempotentProducer, inTransaction, OutboxRelay, PoisonMessage, writeOutbox } from '@switchboard/eventsourcing';

export interface PipelineSettings { events: number; valueBytes: number; relayBatch: number; chunkSize: number }
interface Probe { id: string; key: string; seq: number; pad: string }

const probe = (i: number, valueBytes: number): Probe => {
  const e = { id: `ev-${i}`, key: `k${i % 64}`, seq: i, pad: '' };
  return { ...e, pad: 'x'.repeat(Math.max(0, valueBytes - JSON.stringify(e).length)) };
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(what: string, probeFn: () => Promise<boolean> | boolean, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probeFn())) {
    if (Date.now() > deadline) throw new Error(`benchmark timed out waiting for ${what}`);
    await sleep(5);
  }
}

async function fillOutbox(pool: Pool, topic: string, from: number, to: number, valueBytes: number): Promise<void> {
  for (let i = from; i < to; i += 5000) {
    const rows = Array.from({ length: Math.min(5000, to - i) }, (_, j) => probe(i + j, valueBytes));
    await inTransaction(pool, (c) => writeOutbox(c, rows.map((e) => ({ topic, key: e.key, value: JSON.stringify(e) }))));
  }
}

const decode = (m: { value: Buffer | null }) => {
  try {
    const e = JSON.parse(m.value!.toString()) as Probe;
    return { eventId: e.id, value: e };
  } catch {
    throw new PoisonMessage('not JSON', 'invalid-json');
  }
};

/** Events/s from the first relay poll until every event's row is committed by the consumer. */
export async function measurePipeline(kafka: Kafka, pool: Pool, topic: string, s: PipelineSettings): Promise<{ seconds: number; duplicates: number }> {
  await pool.query('create table if not exists bench_effects (event_id text not null, k text not null, seq int not null)');
  const producer = createIdempotentProducer(kafka);
  await producer.connect();
  let applied = 0;
  const runner = new ConsumerRunner<Probe>({
    kafka, pool, groupId: `${topic}-consumer`, topics: [topic], deadLetterProducer: producer, decode, chunkSize: s.chunkSize,
    handleBatch: async (items, { client }) => {
      await client.query('insert into bench_effects select * from unnest($1::text[], $2::text[], $3::int[])',
        [items.map((i) => i.value.id), items.map((i) => i.value.key), items.map((i) => i.value.seq)]);
    },
    onApplied: (_t, _p, o) => (applied += o.applied),
  });
  const relay = new OutboxRelay({ pool, producer, name: `${topic}-relay`, batchSize: s.relayBatch });
  await runner.start();
  // Warm-up event: the group has joined and every connection is open before the clock starts.
  await fillOutbox(pool, topic, -1, 0, s.valueBytes);
  await until('warm-up', async () => (await relay.publishBatch(), applied >= 1));
  await fillOutbox(pool, topic, 0, s.events, s.valueBytes);
  const t0 = process.hrtime.bigint();
  while ((await relay.publishBatch()) > 0) { /* drain: the consumer applies concurrently */ }
  await until('all effects', () => applied >= s.events + 1);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  await runner.stop();
  await producer.disconnect();
  const { rows } = await pool.query('select count(*)::int - count(distinct event_id)::int as d from bench_effects');
  return { seconds, duplicates: rows[0].d };
}

/** The same record count and size, produced in the same batch size and consumed with eachBatch, no database. */
export async function measureBareKafka(kafka: Kafka, topic: string, s: PipelineSettings): Promise<{ seconds: number }> {
  const producer = createIdempotentProducer(kafka);
  const consumer = kafka.consumer({ groupId: `${topic}-bare` });
  await Promise.all([producer.connect(), consumer.connect()]);
  await consumer.subscribe({ topic, fromBeginning: true });
  let consumed = 0;
  await consumer.run({ eachBatch: async ({ batch }) => void (consumed += batch.messages.length) });
  const send = (from: number, to: number) => producer.send({ topic, acks: -1,
    messages: Array.from({ length: to - from }, (_, j) => probe(from + j, s.valueBytes)).map((e) => ({ key: e.key, value: JSON.stringify(e) })) });
  await send(-1, 0);
  await until('bare warm-up', () => consumed >= 1);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < s.events; i += s.relayBatch) await send(i, Math.min(s.events, i + s.relayBatch));
  await until('bare consume', () => consumed >= s.events + 1);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  await Promise.all([consumer.disconnect(), producer.disconnect()]);
  return { seconds };
}
