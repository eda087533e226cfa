import { allTopics, DLQ_CONFIG, DLQ_PARTITIONS, Topics, type AnyEvent } from '@switchboard/contracts';
import {
  createIdempotentProducer, createWorkerIdempotentProducer, EVENT_STORE_QUEUE_TABLES, kafkaConfigOf, migrateEventStore, OutboxRelay, QueueTableVacuum, type BatchProducer, type ConsumerRunner,
} from '@switchboard/eventsourcing';
import type { Admin, Kafka } from 'kafkajs';
import type { Registry } from 'prom-client';
import type { Pool } from 'pg';
import { AmiLink, type AmiLinkDeps } from './ami/infrastructure/ami-link';
import type { GatewaySettings } from './config';
import { GatewayMetrics } from './ami/infrastructure/link-metrics';
import { EslLink } from './esl/infrastructure/esl-link';
import type { LinkFence } from './link-lease/domain/link-fence';
import { DEFAULT_LINK_LEASE_RETRY_MS, LinkLeasing } from './link-lease/infrastructure/link-leasing';
import { startWebhook } from './webhook/infrastructure/start-webhook';
import type { WebhookServer } from './webhook/infrastructure/webhook-server';
import { callerIdentifier } from './pii/caller-identity';
import { GATEWAY_QUEUE_TABLES, migrateGateway } from './publishing/gateway.schema';
import { HeldLink, type Companion } from './routing-execution/infrastructure/held-link';
import { assignmentCompanion } from './routing-execution/infrastructure/link-assignments';
import { pendingRecordingsOf, rereadingCompanion } from './call-tracking/infrastructure/pending-recordings-reread';

export interface GatewayRuntime {
  readonly links: readonly AmiLink[];
  readonly relay: OutboxRelay;
  readonly eslLinks: readonly EslLink[];
  readonly webhook: WebhookServer | null;
  /** Routing's assignment consumer of each link this replica runs (group `<prefix>.<pbxLinkId>`), by pbxLinkId. */
  readonly assignmentConsumers: ReadonlyMap<string, ConsumerRunner<AnyEvent>>;
  /** One lease per PBX link: this replica runs (and lists in `links` / `eslLinks`) only the links it holds. */
  readonly leases: LinkLeasing<HeldLink<AmiLink | EslLink>>;
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
  /** Prefix of the links' assignment consumer groups (default `telephony-gateway.assignments`): `<prefix>.<pbxLinkId>`. */
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
  const vacuum = new QueueTableVacuum({ pool: o.pool, tables: [...EVENT_STORE_QUEUE_TABLES, ...GATEWAY_QUEUE_TABLES], log: o.log });
  vacuum.start();
  const metrics = new GatewayMetrics(o.metrics);
  metrics.watchOutbox(o.pool);
  const deps: AmiLinkDeps = {
    pool: o.pool, tenant: o.settings.tenant, site: o.settings.site, identifyCaller: callerIdentifier(o.settings.callerHashKey), log: o.log, backoff: o.backoff,
    topicOverrides: o.topicOverrides, metrics, dropWatch: o.settings.dropWatch, recordings: o.settings.recordings, packRawFrames: o.settings.packRawFrames, pipeline: o.settings.pipeline,
  };
  const links: AmiLink[] = [];
  const eslLinks: EslLink[] = [];
  const assignmentConsumers = new Map<string, ConsumerRunner<AnyEvent>>();
  const leases: LinkLeasing<HeldLink<AmiLink | EslLink>> = new LinkLeasing<HeldLink<AmiLink | EslLink>>({
    pool: o.pool, tenant: o.settings.tenant, retryMs: o.settings.linkLeaseRetryMs ?? DEFAULT_LINK_LEASE_RETRY_MS, log: o.log, metrics: o.metrics,
  });
  // What runs with each held link: its own consumer of routing's assignments (executed by the holder of the call's
  // link, wherever the other links are held), and the re-reading of recordings its calls waited for at the last stop.
  const assignments = o.settings.executeRoutingDecisions === false ? [] : [assignmentCompanion({
    kafka: o.kafka, pool: o.pool, deadLetterProducer: producer, groupPrefix: o.assignmentGroupId, topic: o.topicOverrides?.[Topics.routingAssignment.name],
    configuredLinkIds: [o.settings.ami?.pbxLinkId, o.settings.esl?.pbxLinkId].filter((id): id is string => id !== undefined),
    concurrency: o.settings.assignmentConcurrency, metrics: o.metrics, log: o.log,
  }, assignmentConsumers)];
  const recordings = o.settings.recordings;
  const rereading = async (pbxLinkId: string) => (recordings == null ? null : rereadingCompanion(await pendingRecordingsOf(o.pool, pbxLinkId).catch((e: Error) => {
    // Not read now: they stay pending in the state and are read at the link's next start.
    o.log?.('warn', 'recordings pending at the last stop not read again', { pbxLinkId, error: e.message });
    return [];
  }), { config: recordings, metrics, log: o.log }));
  const track = <K>(list: K[], l: K, on: boolean) => {
    const i = list.indexOf(l);
    if (on && i < 0) list.push(l);
    if (!on && i >= 0) list.splice(i, 1);
  };
  const holding = (open: (fence: LinkFence) => Promise<AmiLink | EslLink>) => async (fence: LinkFence) => {
    const link = await open(fence);
    const companions: Companion<AmiLink | EslLink>[] = [...assignments, ...[await rereading(link.config.pbxLinkId)].filter((c) => c !== null)];
    return new HeldLink<AmiLink | EslLink>(link, {
      companions, log: o.log,
      onRunning: (l, on) => (l instanceof EslLink ? track(eslLinks, l, on) : track(links, l, on)),
      // The decider marks a lost lease `standby` before the link is stopped; an orderly stop marks it `stopped`.
      leaseLost: () => leases.statuses().some((s) => s.pbxLinkId === link.config.pbxLinkId && s.status === 'standby'),
    });
  };
  const { ami, esl } = o.settings;
  if (ami !== null) await leases.hold(ami.pbxLinkId, holding((fence) => AmiLink.open(ami, deps, fence)), []);
  if (esl) await leases.hold(esl.pbxLinkId, holding((fence) => EslLink.open(esl, deps, fence)), []);
  const webhook = o.settings.webhook ? await startWebhook(o.settings.webhook, deps) : null;
  return {
    links, relay, eslLinks, webhook, leases, assignmentConsumers,
    stop: async () => {
      await webhook?.close();
      await leases.stop();
      await relay.stop();
      await vacuum.stop();
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
