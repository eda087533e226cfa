import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import type { Decider } from '@switchboard/decider';
import { startTelemetry, Telemetry, withSpan } from '@switchboard/service-kit';
import { createTopics, freshDatabase, testKafka, uniqueName } from '@switchboard/testing';
import { Pool } from 'pg';
import { ConsumerRunner, createIdempotentProducer, deadLetterTopic, handleCommand, migrateEventStore, OutboxRelay, PostgresEventStore } from '../src';
import { decodeProbe, ProbeEvent } from './fixtures/probe-codec';
import { eventually } from './workers';

type Ping = { type: 'Ping'; id: string };
const pinger: Decider<Ping, Ping, number> = { initialState: () => 0, evolve: (n) => n + 1, decide: (c) => c };

describe('trace context from the command through the outbox and Kafka to the consumer', () => {
  const exporter = new InMemorySpanExporter();
  let telemetry: Telemetry;
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let pool: Pool;

  beforeAll(async () => {
    telemetry = startTelemetry({ serviceName: 'eventsourcing-trace-test', exporter, exportImmediately: true });
    db = await freshDatabase();
    pool = new Pool({ connectionString: db.url });
    await migrateEventStore(pool);
  });
  afterAll(async () => {
    await pool.end();
    await db.drop();
    await telemetry.shutdown();
  });

  it('parents the consumer span on the span that handled the command', async () => {
    const kafka = testKafka();
    const topic = uniqueName('it-trace');
    const admin = kafka.admin();
    await admin.connect();
    await createTopics(admin, [topic, deadLetterTopic(topic)]);
    await admin.disconnect();
    const producer = createIdempotentProducer(kafka);
    await producer.connect();

    const toOutbox = (events: readonly Ping[]) => events.map((e): { topic: string; key: string; value: string } => ({ topic, key: 'p1', value: JSON.stringify({ id: e.id, key: 'p1', seq: 1 } satisfies ProbeEvent) }));
    const producing = await withSpan('ping command', SpanKind.SERVER, {}, async (span) => {
      await handleCommand(pool, new PostgresEventStore(pool), 'p1', pinger, { type: 'Ping', id: 'ping-1' }, { toOutbox });
      return span.spanContext();
    });
    expect(await new OutboxRelay({ pool, producer, name: uniqueName('relay') }).publishBatch()).toBe(1);

    const runner = new ConsumerRunner({ kafka, pool, groupId: uniqueName('g'), topics: [topic], deadLetterProducer: producer, decode: decodeProbe, handle: async () => undefined });
    await runner.start();
    const consumerSpan = () => exporter.getFinishedSpans().find((s) => s.kind === SpanKind.CONSUMER && s.name === `${topic} process`);
    try {
      await eventually('the consumer span', async () => consumerSpan() !== undefined);
    } finally {
      await runner.stop();
      await producer.disconnect();
    }
    expect(consumerSpan()!.spanContext().traceId).toBe(producing.traceId);
    expect(consumerSpan()!.parentSpanContext?.spanId).toBe(producing.spanId);
  });
});
