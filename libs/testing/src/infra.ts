import { randomUUID } from 'node:crypto';
import { Admin, Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { ensureDatabase } from '@switchboard/local-infra';

/** Addresses resolved by the integration global setup. */
export function testInfra(): { brokers: string[]; postgresUrl: string } {
  const brokers = process.env.KAFKA_BROKERS;
  const postgresUrl = process.env.POSTGRES_URL;
  if (!brokers || !postgresUrl) throw new Error('KAFKA_BROKERS / POSTGRES_URL not set: run integration tests through jest --selectProjects integration');
  return { brokers: brokers.split(','), postgresUrl };
}

export function testKafka(clientId = 'switchboard-test'): Kafka {
  return new Kafka({ clientId, brokers: testInfra().brokers, logLevel: logLevel.NOTHING });
}

/** A unique name per test so suites sharing one broker and server never collide. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${process.env.JEST_WORKER_ID ?? '0'}-${randomUUID().slice(0, 8)}`;
}

export async function createTopics(admin: Admin, topics: string[], numPartitions = 1): Promise<void> {
  // kafkajs's own waitForLeaders gives up on a transient UNKNOWN_TOPIC_OR_PARTITION; we wait below instead.
  await admin.createTopics({ waitForLeaders: false, topics: topics.map((topic) => ({ topic, numPartitions, replicationFactor: 1 })) });
  // Metadata can name a leader before the partition serves requests on a busy broker; listing offsets proves it does.
  const deadline = Date.now() + 30_000;
  while (!(await Promise.all(topics.map((t) => admin.fetchTopicOffsets(t))).then(() => true, () => false))) {
    if (Date.now() > deadline) throw new Error(`topics not ready after 30 s: ${topics.join(', ')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const OBJECT_IN_USE = '55006';

/** A fresh database per test file: `sb_test_<unique>`; returns its URL and a dropper. */
export async function freshDatabase(prefix = 'sb_test'): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const { postgresUrl } = testInfra();
  const url = await ensureDatabase(postgresUrl, name);
  return {
    url,
    // Without FORCE: terminating a connection some component of the test process still holds would surface as an
    // unhandled 'error' in whichever suite runs next in that worker. A database still in use after a few seconds is
    // left behind (harmless, uniquely named) rather than yanked away.
    drop: async () => {
      const c = new Client({ connectionString: postgresUrl });
      await c.connect();
      try {
        for (let attempt = 0; attempt < 25; attempt++) {
          try {
            await c.query(`drop database if exists ${name}`);
            return;
          } catch (e) {
            if ((e as { code?: string }).code !== OBJECT_IN_USE) throw e;
            await new Promise((r) => setTimeout(r, 200));
          }
        }
      } finally {
        await c.end();
      }
    },
  };
}
