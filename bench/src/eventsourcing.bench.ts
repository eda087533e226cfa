/**
 * Event store append throughput (single-event vs batched appends) and the outbox → relay → Kafka → consumer pipeline
 * with per-event Postgres effects against a bare kafkajs loop in the same run. Starts or finds the local broker and
 * Postgres, and drops its database and topics afterwards.
 * Run directly: node -r @swc-node/register bench/src/eventsourcing.bench.ts
 */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { Pool } from 'pg';
import { dropBenchDatabase } from './bench-database';
import { deadLetterTopic, migrateEventStore, PostgresEventStore } from '@switchboard/eventsourcing';
import { ensureDatabase, ensureInfra } from '@switchboard/local-infra';
import { measureBareKafka, measurePipeline, PipelineSettings } from './eventsourcing-pipeline';

export interface BenchResult {
  readonly name: string;
  readonly metrics: Record<string, number>;
  readonly baseline: Record<string, number>;
  readonly notes: string;
}

const TARGET_END_TO_END_PER_SECOND = 10_000;
const SETTINGS: PipelineSettings = { events: Number(process.env.BENCH_EVENTS ?? 50_000), valueBytes: 200, relayBatch: 2000, chunkSize: 2000 };
const round = (n: number) => Math.round(n);

async function measureAppends(pool: Pool, appends: number, eventsPerAppend: number): Promise<number> {
  const store = new PostgresEventStore(pool);
  const run = randomUUID().slice(0, 8);
  const events = Array.from({ length: eventsPerAppend }, (_, i) => ({ type: 'Benchmarked', data: { i, note: 'an event of about a hundred bytes' } }));
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < appends; i++) await store.appendToStream(`bench-${run}-${i}`, events, { expectedVersion: 'no_stream' });
  return (appends * eventsPerAppend) / (Number(process.hrtime.bigint() - t0) / 1e9);
}

async function appendBench(pool: Pool): Promise<BenchResult> {
  const single = await measureAppends(pool, 2000, 1);
  const batched = await measureAppends(pool, 200, 100);
  return {
    name: 'event store append',
    metrics: { batchedEventsPerSecond: round(batched), eventsPerAppend: 100, ratioToSingle: Math.round((batched / single) * 100) / 100 },
    baseline: { singleEventAppendsPerSecond: round(single) },
    notes: 'Sequential appends on one connection, each its own transaction (version check + unnest insert), new stream per append.',
  };
}

async function pipelineBench(kafka: Kafka, pool: Pool, topics: { pipeline: string; bare: string }): Promise<BenchResult> {
  const bare = await measureBareKafka(kafka, topics.bare, SETTINGS);
  const pipe = await measurePipeline(kafka, pool, topics.pipeline, SETTINGS);
  const eps = SETTINGS.events / pipe.seconds;
  const bareEps = SETTINGS.events / bare.seconds;
  return {
    name: 'outbox relay + consumer runner end to end',
    metrics: { eventsPerSecond: round(eps), ratioToBaseline: Math.round((eps / bareEps) * 1000) / 1000, events: SETTINGS.events, duplicateEffects: pipe.duplicates, wallSeconds: Math.round(pipe.seconds * 1000) / 1000 },
    baseline: { eventsPerSecond: round(bareEps), wallSeconds: Math.round(bare.seconds * 1000) / 1000 },
    notes: `Outbox pre-filled (untimed); clock from the first relay poll until the consumer committed a Postgres row per event. ` +
      `${SETTINGS.valueBytes} B values, 64 keys, 3 partitions, relay batch ${SETTINGS.relayBatch}, consumer chunk ${SETTINGS.chunkSize} with a batch handler (one unnest insert + dedupe + offsets per transaction). ` +
      `Baseline: bare idempotent kafkajs producer (same batch size, acks=all) and eachBatch consumer, no database. Target ${TARGET_END_TO_END_PER_SECOND} events/s.`,
  };
}

export async function runEventsourcingBench(): Promise<BenchResult[]> {
  const infra = await ensureInfra();
  const dbName = `sb_bench_es_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
  const pool = new Pool({ connectionString: await ensureDatabase(infra.postgresUrl, dbName), max: 4 });
  const kafka = new Kafka({ clientId: 'eventsourcing-bench', brokers: infra.kafkaBrokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const topics = { pipeline: `bench-es-${dbName.slice(-10)}`, bare: `bench-bare-${dbName.slice(-10)}` };
  const all = [topics.pipeline, deadLetterTopic(topics.pipeline), topics.bare];
  await admin.connect();
  try {
    await admin.createTopics({ waitForLeaders: true, topics: all.map((topic) => ({ topic, numPartitions: 3, replicationFactor: 1 })) });
    await migrateEventStore(pool);
    return [await appendBench(pool), await pipelineBench(kafka, pool, topics)];
  } finally {
    await admin.deleteTopics({ topics: all }).catch(() => undefined);
    await admin.disconnect();
    await pool.end();
    await dropBenchDatabase(infra.postgresUrl, dbName);
  }
}

if (require.main === module) {
  runEventsourcingBench()
    .then((results) => {
      process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
      if (results[1].metrics.eventsPerSecond < TARGET_END_TO_END_PER_SECOND) process.exitCode = 1;
    })
    .catch((error: unknown) => {
      process.stderr.write(`${String(error)}\n`);
      process.exitCode = 1;
    });
}
