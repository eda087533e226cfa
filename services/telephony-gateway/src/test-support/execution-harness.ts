import type { AnyEvent } from '@switchboard/contracts';
import { createTopics, freshDatabase, testKafka } from '@switchboard/testing';
import type { Kafka, Producer } from 'kafkajs';
import { Pool } from 'pg';
import { kafkaMessages } from './routing-events';

/** Kafka topics, a producer standing in for routing, and a fresh gateway database: what the execution suites share. */
export interface ExecutionHarness {
  readonly kafka: Kafka;
  readonly producer: Producer;
  readonly pool: Pool;
  /** Publishes routing events on the assignment topic, as routing would. */
  send(events: AnyEvent[]): Promise<unknown>;
  query<T>(sql: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

export async function openExecutionHarness(o: { clientId: string; database: string; assignmentTopic: string; topics: readonly string[] }): Promise<ExecutionHarness> {
  const kafka = testKafka(o.clientId);
  const admin = kafka.admin();
  await admin.connect();
  await createTopics(admin, [...o.topics]);
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  const db = await freshDatabase(o.database);
  const pool = new Pool({ connectionString: db.url, max: 6 });
  return {
    kafka, producer, pool,
    send: (events) => producer.send({ topic: o.assignmentTopic, acks: -1, messages: kafkaMessages(events) }),
    query: async <T>(sql: string, params: unknown[] = []) => (await pool.query(sql, params)).rows as T[],
    close: async () => {
      await producer.disconnect();
      await pool.end();
      await db.drop();
    },
  };
}
