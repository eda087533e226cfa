import { allTopics, DLQ_CONFIG, DLQ_PARTITIONS, Topics, type AnyEvent } from '@switchboard/contracts';
import {
  createIdempotentProducer, createWorkerIdempotentProducer, kafkaConfigOf, migrateEventStore, OutboxRelay, type BatchProducer, type ConsumerRunner,
} from '@switchboard/eventsourcing';
import type { Admin, Kafka, Producer } from 'kafkajs';
import type { Registry } from 'prom-client';
import type { Pool } from 'pg';
import { AmiLink, type AmiLinkDeps } from './ami/infrastructure/ami-link';
import type { GatewaySettings } from './config';
import { GatewayMetrics } from './ami/infrastructure/link-metrics';
import { EslLink } from './esl/infrastructure/esl-link';
import { DEFAULT_LINK_LEASE_RETRY_MS, LinkLeasing } from './link-lease/infrastructure/link-leasing';
import { startWebhook } from './webhook/infrastructure/start-webhook';
import type { WebhookServer } from './webhook/infrastructure/webhook-server';
import { callerIdentifier } from './pii/caller-identity';
import { migrateGateway } from './publishing/gateway.schema';
import { assignmentConsumer } from './routing-execution/infrastructure/assignment-consumer';
import { AssignmentExecutor } from './routing-execution/infrastructure/assignment-executor';

export interface GatewayRuntime {
  readonly links: readonly AmiLink[];
  readonly relay: OutboxRelay;
  readonly eslLinks: readonly EslLink[];
  readonly webhook: WebhookServer | null;
  readonly assignments: ConsumerRunner<AnyEvent> | null;
  /** One lease per PBX link: this replica runs (and lists in `links` / `eslLinks`) only the links it holds. */
  readonly leases: LinkLeasing<AmiLink | EslLink>;
  stop(): Promise<void>;
}

/** Creates every registry topic (idempotent) with its configured partitions and retention, DLQs included. */
export async function ensureTopics(kafka: Kafka, replicationFactor = 1): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const entries = (c: object) => Object.entries(c).map(([name, value]) => ({ name, value: String(value) }));
    await admin.createTopics({
      waitForLeaders: false, // kafkajs's wait gives up on a transient UNKNOWN_TOPIC_OR_PARTITION; see waitForLeaders
      topics: allTopics.flatMap((t) => [
        { topic: t.name, numPartitions: t.partitions, replicationFactor, configEntries: entries(t.config) },
        { topic: t.dlq, numPartitions: DLQ_PARTITIONS, replicationFactor, configEntries: entries(DLQ_CONFIG) },
      ]),
    });
    // createTopics returns at once when another process is still creating them; wait for every leader either way.
    await waitForLeaders(admin, allTopics.flatMap((t) => [t.name, t.dlq]));
  } finally {
    await admin.disconnect();
  }
}

export interface GatewayOptions {
  readonly pool: Pool;
  readonly kafka: Kafka;
  readonly settings: GatewaySettings;
  readonly relayName?: string;
  readonly log?: AmiLinkDeps['log'];
  readonly backoff?: AmiLinkDeps['backoff'];
  /** Registry topic → topic used instead (tests); applies to published events and the consumed assignment topic. */
  readonly topicOverrides?: Readonly<Record<string, string>>;
  readonly assignmentGroupId?: string;
  /**
   * Runs the outbox relay's producer in a worker thread (default: yes when `kafka` was made by createKafka, whose
   * settings the worker reuses). Off keeps it on the calling thread: on an oversubscribed machine the extra thread
   * hop adds latency while a free core gives the worker's throughput (BENCHMARKS.md).
   */
  readonly relayProducerInWorker?: boolean;
  /** The service's Prometheus registry: link, outbox and assignment-consumer metrics are registered on it. */
  readonly metrics?: Registry;
}

/** Migrations, topics, the outbox relay, the PBX links, then the executor of routing decisions. */
export async function startGateway(o: GatewayOptions): Promise<GatewayRuntime> {
  await migrateEventStore(o.pool);
  await migrateGateway(o.pool);
  await ensureTopics(o.kafka);
  const producer = createIdempotentProducer(o.kafka);
  await producer.connect();
  const relayProducer = relayProducerFactory(o.kafka, o.relayProducerInWorker ?? o.settings.relayProducerInWorker ?? true);
  const relayOwn = relayProducer();
  await relayOwn.connect();
  const relay = new OutboxRelay({ pool: o.pool, producer: relayOwn, name: o.relayName ?? 'telephony-gateway', batchSize: 2000, pollIntervalMs: 100, createProducer: relayProducer, onError: (e) => o.log?.('warn', 'outbox relay', { error: e.message }) });
  await relay.start();
  const metrics = new GatewayMetrics(o.metrics);
  metrics.watchOutbox(o.pool);
  const deps: AmiLinkDeps = {
    pool: o.pool, tenant: o.settings.tenant, site: o.settings.site, identifyCaller: callerIdentifier(o.settings.callerHashKey), log: o.log, backoff: o.backoff,
    topicOverrides: o.topicOverrides, metrics, dropWatch: o.settings.dropWatch, recordings: o.settings.recordings,
  };
  let assignments: ConsumerRunner<AnyEvent> | null = null;
  const leases = new LinkLeasing<AmiLink | EslLink>({
    pool: o.pool, tenant: o.settings.tenant, retryMs: o.settings.linkLeaseRetryMs ?? DEFAULT_LINK_LEASE_RETRY_MS, log: o.log, metrics: o.metrics,
    // Routing's assignments are consumed only while this replica runs a link: the call's link must be here to carry them out.
    onHolding: o.settings.executeRoutingDecisions === false ? undefined : async (holding) => {
      if (holding) assignments = await startAssignments(o, leases.activeLinks, producer);
      else await assignments?.stop().finally(() => { assignments = null; });
    },
  });
  const links: AmiLink[] = [];
  const eslLinks: EslLink[] = [];
  const { ami, esl } = o.settings;
  if (ami !== null) await leases.hold(ami.pbxLinkId, () => AmiLink.open(ami, deps), links);
  if (esl) await leases.hold(esl.pbxLinkId, () => EslLink.open(esl, deps), eslLinks);
  const webhook = o.settings.webhook ? await startWebhook(o.settings.webhook, deps) : null;
  return {
    links, relay, eslLinks, webhook, leases,
    get assignments() { return assignments; },
    stop: async () => {
      await webhook?.close();
      await leases.stop();
      await relay.stop();
      await relayOwn.disconnect();
      await producer.disconnect();
    },
  };
}

/**
 * The relay's producers run in a worker thread when the client's settings are known (a client made by createKafka,
 * as in production): encoding every record and header is the largest cost of the gateway's busy thread.
 */
function relayProducerFactory(kafka: Kafka, inWorker: boolean): () => BatchProducer {
  const config = inWorker ? kafkaConfigOf(kafka) : undefined;
  return config === undefined ? () => createIdempotentProducer(kafka) : () => createWorkerIdempotentProducer(config);
}

/** Routing's assignments, carried out on whichever link (AMI Redirect, event-socket uuid_transfer) the call is on. */
async function startAssignments(o: GatewayOptions, links: readonly (AmiLink | EslLink)[], producer: Producer): Promise<ConsumerRunner<AnyEvent>> {
  const executor = new AssignmentExecutor(o.pool, links, 5000, (id, s) => links.find((l) => l.config.pbxLinkId === id)!.pipeline.settle(s));
  const interrupted = await executor.settleInterrupted();
  if (interrupted > 0) o.log?.('warn', 'routing assignments interrupted by a stop marked failed (outcome unknown)', { interrupted });
  const topic = o.topicOverrides?.[Topics.routingAssignment.name];
  const runner = assignmentConsumer({
    kafka: o.kafka, pool: o.pool, deadLetterProducer: producer, executor, topic, groupId: o.assignmentGroupId, metrics: o.metrics,
    concurrency: o.settings.assignmentConcurrency,
    onError: (e) => o.log?.('warn', 'routing assignment consumer', { error: e.message }),
  });
  await runner.start();
  return runner;
}

async function waitForLeaders(admin: Admin, topics: string[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // Metadata can name a leader before the partition serves requests; listing offsets proves it does.
    const ready = await Promise.all(topics.map((topic) => admin.fetchTopicOffsets(topic))).then(() => true, () => false);
    if (ready) return;
    if (Date.now() > deadline) throw new Error(`Kafka topics have no leaders after ${timeoutMs / 1000} s: ${topics.join(', ')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
