import type { AnyEvent } from '@switchboard/contracts';
import type { Kafka, Producer } from 'kafkajs';
import type { Pool } from 'pg';
import type { Registry } from 'prom-client';
import { cloudEventDecoder } from './cloud-event-decoder';
import { ConsumerRunner, ConsumerRunnerOptions } from './consumer-runner';
import { initProjection, Projection, swapProjectionView } from './projection';
import { migrateEventStore } from './schema';
import { fetchTopicOffsetsRetrying } from './topic-offsets';

export interface ProjectionProgress {
  name: string;
  version: number;
  /** Events applied by this process since it started. */
  applied: number;
  /** Records on the topics not yet consumed by this version. */
  lag: number;
  eventsPerSecond: number;
  /** True once readers see this version. */
  active: boolean;
}

export interface ProjectionRunnerOptions<E> {
  kafka: Kafka;
  pool: Pool;
  deadLetterProducer: Producer;
  /** Default: `cloudEventDecoder` for the projection's event types. */
  decode?: ConsumerRunnerOptions<E>['decode'];
  chunkSize?: number;
  sessionTimeoutMs?: number;
  metrics?: Registry;
  progressIntervalMs?: number;
  onProgress?: (p: ProjectionProgress) => void;
  /** Progress and swaps as structured log lines (pino's `info(obj, msg)` fits). Default: JSON on stdout. */
  logger?: { info(obj: object, msg: string): void };
  /** Appended to the consumer group id, so copies of a projection reading other topics never share a Kafka group. */
  groupIdSuffix?: string;
  /**
   * Default true. False only for a projection whose `apply`/`applyBatch` is idempotent per event (re-applying an
   * event after later ones leaves the same rows): redelivery is already excluded by the offsets stored with its
   * writes, and a republished event then changes nothing, so the per-event id table is skipped
   * (`ConsumerRunnerOptions.dedupeEventIds`).
   */
  dedupeEventIds?: boolean;
}

const jsonLogger = { info: (obj: object, msg: string) => process.stdout.write(`${JSON.stringify({ ...obj, msg })}\n`) };

/**
 * Keeps one projection version up to date from Kafka, exactly-once in effect (ConsumerRunner). A new version starts
 * from offset 0 under its own group, writing its own table while readers keep the old view; once it has caught up
 * (lag 0) the view is swapped to it in one transaction.
 */
export class ProjectionRunner<E = AnyEvent> {
  private readonly consumer: ConsumerRunner<E>;
  private timer?: NodeJS.Timeout;
  private applied = 0;
  private last = { at: Date.now(), applied: 0 };
  private active = false;
  private catchUpCheck?: Promise<void>;
  private activating?: Promise<void>;
  private readonly swapped: Promise<void>;
  private resolveSwapped!: () => void;

  private readonly p: Projection<E>;

  constructor(projection: Projection<E>, private readonly o: ProjectionRunnerOptions<E>) {
    const p = o.groupIdSuffix ? { ...projection, groupId: `${projection.groupId}-${o.groupIdSuffix}` } : projection;
    this.p = p;
    this.swapped = new Promise((resolve) => (this.resolveSwapped = resolve));
    this.consumer = new ConsumerRunner<E>({
      kafka: o.kafka, pool: o.pool, groupId: p.groupId, topics: [...p.topics], deadLetterProducer: o.deadLetterProducer,
      decode: o.decode ?? (cloudEventDecoder({ eventTypes: p.eventTypes }) as unknown as ConsumerRunnerOptions<E>['decode']),
      handle: (event, { client }) => p.apply(client, event, p.table),
      handleBatch: p.applyBatch ? (items, { client }) => p.applyBatch!(client, items.map((i) => i.value), p.table) : undefined,
      chunkSize: o.chunkSize, sessionTimeoutMs: o.sessionTimeoutMs, metrics: o.metrics, dedupeEventIds: o.dedupeEventIds,
      onApplied: (_t, _p, outcome) => (this.applied += outcome.applied),
      // A batch that reached its partition's end may be the last one of the rebuild: check now, not at the next tick.
      onLag: (_t, _p, lag) => (lag === 0 && !this.active ? this.activateIfCaughtUp() : undefined),
    });
  }

  async start(): Promise<void> {
    await migrateEventStore(this.o.pool);
    const client = await this.o.pool.connect();
    try {
      await initProjection(client, this.p as Projection<unknown>);
    } finally {
      client.release();
    }
    await this.storeStartingOffsets();
    await this.consumer.start();
    this.timer = setInterval(() => void this.tick().catch((e) => this.logger.info({ projection: this.p.name, err: String(e) }, 'projection progress failed')), this.o.progressIntervalMs ?? 1000);
    await this.tick();
  }

  /** Resolves when readers see this version (immediately after start if it was already active). */
  whenActive(): Promise<void> {
    return this.swapped;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.consumer.stop();
    await this.catchUpCheck;
  }

  private get logger() {
    return this.o.logger ?? jsonLogger;
  }

  private async tick(): Promise<void> {
    const lag = await this.lag();
    if (lag === 0 && !this.active) await this.activate();
    this.report(lag);
  }

  private report(lag: number): void {
    const now = Date.now();
    const eventsPerSecond = Math.round(((this.applied - this.last.applied) * 1000) / Math.max(1, now - this.last.at));
    this.last = { at: now, applied: this.applied };
    const progress = { name: this.p.name, version: this.p.version, applied: this.applied, lag, eventsPerSecond, active: this.active };
    this.o.onProgress?.(progress);
    this.logger.info({ projection: progress }, 'projection progress');
  }

  private activateIfCaughtUp(): void {
    this.catchUpCheck ??= (async () => {
      try {
        if ((await this.lag()) === 0 && !this.active) await this.activate();
      } catch (e) {
        this.logger.info({ projection: this.p.name, err: String(e) }, 'projection catch-up check failed');
      }
    })().finally(() => (this.catchUpCheck = undefined));
  }

  /** Swaps the view in; one swap at a time (the tick and a caught-up batch may both get here). */
  private activate(): Promise<void> {
    this.activating ??= this.swap().finally(() => (this.activating = undefined));
    return this.activating;
  }

  private async swap(): Promise<void> {
    if (this.active) return;
    const client = await this.o.pool.connect();
    try {
      const activeVersion = await swapProjectionView(client, this.p as Projection<unknown>);
      this.active = activeVersion === this.p.version;
      if (this.active) {
        this.report(0); // the caught-up state is reported before anyone waiting on the swap goes on
        this.resolveSwapped();
      }
      this.logger.info({ projection: this.p.name, version: this.p.version, activeVersion }, this.active ? 'projection view swapped' : 'projection superseded');
    } finally {
      client.release();
    }
  }

  /**
   * A version's progress lives in Postgres only: every partition it has no stored offset for yet is recorded at the
   * partition's first record, so the consumer seeks there even when the broker kept a committed offset for the group
   * (a database recreated or restored beside the same broker would otherwise skip, and never finish, the rebuild).
   */
  private async storeStartingOffsets(): Promise<void> {
    const admin = this.o.kafka.admin();
    await admin.connect();
    try {
      for (const topic of this.p.topics) {
        const starts = await fetchTopicOffsetsRetrying(admin, topic);
        await this.o.pool.query(
          `insert into es_consumer_offsets (consumer_group, topic, partition, next_offset)
           select $1, $2, p, o from unnest($3::int[], $4::bigint[]) s(p, o) on conflict do nothing`,
          [this.p.groupId, topic, starts.map((s) => s.partition), starts.map((s) => s.low)]);
      }
    } finally {
      await admin.disconnect();
    }
  }

  /** Records between this version's stored offsets (the ones committed with its effects) and the topics' ends. */
  private async lag(): Promise<number> {
    const { rows } = await this.o.pool.query<{ topic: string; partition: number; next_offset: string }>(
      'select topic, partition, next_offset from es_consumer_offsets where consumer_group = $1', [this.p.groupId]);
    const stored = new Map(rows.map((r) => [`${r.topic}:${r.partition}`, Number(r.next_offset)]));
    const admin = this.o.kafka.admin();
    await admin.connect();
    try {
      let lag = 0;
      for (const topic of this.p.topics) {
        for (const o of await fetchTopicOffsetsRetrying(admin, topic)) lag += Math.max(0, Number(o.high) - (stored.get(`${topic}:${o.partition}`) ?? Number(o.low)));
      }
      return lag;
    } finally {
      await admin.disconnect();
    }
  }
}
