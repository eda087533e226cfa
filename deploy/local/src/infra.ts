import * as path from 'node:path';
import { brokerAddress, KafkaBrokerOptions, startKafka, stopKafka, waitForKafkaReady } from './kafka-broker';
import { DEFAULT_POSTGRES_URL, ensurePostgres } from './postgres';
import { fail } from './process-util';

export interface Infra {
  kafkaBrokers: string[];
  postgresUrl: string;
  /** True when we started the broker (and so should stop it). */
  startedKafka: boolean;
  external: { kafka: boolean; postgres: boolean };
}

export const repoRoot = path.resolve(__dirname, '..', '..', '..');

export function kafkaOptions(env: NodeJS.ProcessEnv = process.env): KafkaBrokerOptions {
  const port = Number(env.SWITCHBOARD_KAFKA_PORT ?? 9092);
  const controllerPort = Number(env.SWITCHBOARD_KAFKA_CONTROLLER_PORT ?? port + 1);
  for (const [name, v] of [['SWITCHBOARD_KAFKA_PORT', port], ['SWITCHBOARD_KAFKA_CONTROLLER_PORT', controllerPort]] as const) {
    if (!Number.isInteger(v) || v < 1 || v > 65535) throw new Error(`${name}: expected a TCP port number, got '${env[name]}'`);
  }
  return { rootDir: repoRoot, port, controllerPort };
}

/**
 * Brings up what is needed: external infrastructure when KAFKA_BROKERS / POSTGRES_URL are set (nothing is started),
 * otherwise a local Kafka broker from Maven Central jars and the local PostgreSQL.
 */
export async function ensureInfra(env: NodeJS.ProcessEnv = process.env, o: { freshKafkaData?: boolean } = {}): Promise<Infra> {
  const postgresUrl = env.POSTGRES_URL ?? DEFAULT_POSTGRES_URL;
  const externalKafka = Boolean(env.KAFKA_BROKERS);
  await ensurePostgres(postgresUrl, Boolean(env.POSTGRES_URL));
  if (externalKafka) {
    const brokers = env.KAFKA_BROKERS!.split(',').map((b) => b.trim()).filter(Boolean);
    await waitForKafkaReady(brokers[0], 30_000).catch((e: Error) =>
      fail(`Kafka at ${brokers[0]} (from KAFKA_BROKERS) did not answer: ${e.message}. Check the address, or unset KAFKA_BROKERS to run a local broker.`));
    return { kafkaBrokers: brokers, postgresUrl, startedKafka: false, external: { kafka: true, postgres: Boolean(env.POSTGRES_URL) } };
  }
  const opts = kafkaOptions(env);
  const startedKafka = await startKafka(opts, 90_000, o.freshKafkaData ?? false);
  return { kafkaBrokers: [brokerAddress(opts)], postgresUrl, startedKafka, external: { kafka: false, postgres: Boolean(env.POSTGRES_URL) } };
}

export async function stopInfra(infra: Pick<Infra, 'startedKafka'>, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  if (infra.startedKafka) await stopKafka(kafkaOptions(env));
}
