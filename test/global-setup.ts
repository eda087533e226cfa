// Integration tests run against real Kafka and Postgres: external ones when KAFKA_BROKERS / POSTGRES_URL are set,
// otherwise the local broker and cluster that deploy/local starts. Workers inherit the resolved addresses via env.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureInfra, InfraError } from '@switchboard/local-infra';

export const stateFile = path.join(__dirname, '..', '.infra', 'test-infra.json');

export default async function globalSetup(): Promise<void> {
  try {
    const infra = await ensureInfra(process.env, { freshKafkaData: true });
    process.env.KAFKA_BROKERS = infra.kafkaBrokers.join(',');
    process.env.POSTGRES_URL = infra.postgresUrl;
    process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
    fs.mkdirSync(path.dirname(stateFile), { recursive: true });
    fs.writeFileSync(stateFile, JSON.stringify({ startedKafka: infra.startedKafka }));
  } catch (e) {
    if (e instanceof InfraError) throw new Error(`integration infrastructure: ${e.message}`);
    throw e;
  }
}
