import { allTopics, DLQ_CONFIG, DLQ_PARTITIONS } from '@switchboard/contracts';
import { createIdempotentProducer, migrateEventStore, OutboxRelay } from '@switchboard/eventsourcing';
import type { Kafka } from 'kafkajs';
import type { Pool } from 'pg';
import { AmiLink, type AmiLinkDeps } from './ami/infrastructure/ami-link';
import type { GatewaySettings } from './config';
import { callerIdentifier } from './pii/caller-identity';
import { migrateGateway } from './publishing/gateway.schema';

export interface GatewayRuntime {
  readonly links: readonly AmiLink[];
  readonly relay: OutboxRelay;
  stop(): Promise<void>;
}

/** Creates every registry topic (idempotent) with its configured partitions and retention, DLQs included. */
export async function ensureTopics(kafka: Kafka, replicationFactor = 1): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const entries = (c: object) => Object.entries(c).map(([name, value]) => ({ name, value: String(value) }));
    await admin.createTopics({
      waitForLeaders: true,
      topics: allTopics.flatMap((t) => [
        { topic: t.name, numPartitions: t.partitions, replicationFactor, configEntries: entries(t.config) },
        { topic: t.dlq, numPartitions: DLQ_PARTITIONS, replicationFactor, configEntries: entries(DLQ_CONFIG) },
      ]),
    });
  } finally {
    await admin.disconnect();
  }
}

/** Migrations, topics, the outbox relay, then the PBX links. */
export async function startGateway(o: { pool: Pool; kafka: Kafka; settings: GatewaySettings; relayName?: string; log?: AmiLinkDeps['log']; backoff?: AmiLinkDeps['backoff'] }): Promise<GatewayRuntime> {
  await migrateEventStore(o.pool);
  await migrateGateway(o.pool);
  await ensureTopics(o.kafka);
  const producer = createIdempotentProducer(o.kafka);
  await producer.connect();
  const relay = new OutboxRelay({ pool: o.pool, producer, name: o.relayName ?? 'telephony-gateway', batchSize: 2000, pollIntervalMs: 100, onError: (e) => o.log?.('warn', 'outbox relay', { error: e.message }) });
  await relay.start();
  const deps: AmiLinkDeps = { pool: o.pool, tenant: o.settings.tenant, site: o.settings.site, identifyCaller: callerIdentifier(o.settings.callerHashKey), log: o.log, backoff: o.backoff };
  const links = o.settings.ami === null ? [] : [await AmiLink.open(o.settings.ami, deps)];
  links.forEach((l) => l.start());
  return {
    links, relay,
    stop: async () => {
      for (const l of links) await l.stop();
      await relay.stop();
      await producer.disconnect();
    },
  };
}
