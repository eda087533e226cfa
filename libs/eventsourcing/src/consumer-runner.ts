import type { Consumer, EachBatchPayload, IHeaders, Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { Pool, PoolClient } from 'pg';
import type { Registry } from 'prom-client';
import { applyMessages, ChunkOutcome, DeadLetter } from './consumer-chunk';
import { ConsumerMetrics } from './consumer-metrics';
import { deadLetterHeaders, deadLetterTopic } from './dead-letter';

export interface DecodedMessage<T> {
  /** Used to deduplicate redelivered or republished messages. */
  eventId: string;
  value: T;
}
/** A message this consumer deliberately skips (e.g. an unknown event type): no handler, no DLQ, offset moves on. */
export interface IgnoredMessage { ignored: string }
export const ignoreMessage = (reason: string): IgnoredMessage => ({ ignored: reason });

export interface MessageContext {
  client: PoolClient;
  topic: string;
  partition: number;
  offset: string;
  headers: IHeaders;
}
export interface BatchItem<T> { value: T; eventId: string; offset: string; headers: IHeaders }

export interface ConsumerRunnerOptions<T> {
  kafka: Kafka;
  pool: Pool;
  groupId: string;
  topics: string[];
  /** Throws PoisonMessage for input that can never be handled (schema-invalid); it goes to the DLQ at once. */
  decode: (message: KafkaMessage, topic: string) => DecodedMessage<T> | IgnoredMessage;
  /** Applies one message. At least one of `handle` / `handleBatch` is required. */
  handle?: (value: T, ctx: MessageContext) => Promise<void>;
  /**
   * Applies a chunk's new messages at once (e.g. one `unnest` insert). If it throws, the chunk is re-applied one
   * message at a time (with `handle`, else `handleBatch` of one), so only the bad message is dead-lettered.
   */
  handleBatch?: (items: BatchItem<T>[], ctx: Omit<MessageContext, 'offset' | 'headers'>) => Promise<void>;
  /** Producer for dead letters; a message is dead-lettered before its offset is committed, so none is lost. */
  deadLetterProducer: Producer;
  maxAttempts?: number;
  /** Messages applied per Postgres transaction. */
  chunkSize?: number;
  /**
   * Default true: every event id is recorded in `es_consumer_processed` and an id seen before is skipped, so the same
   * event published twice (an outbox relay re-sending after a crash) is applied once. False: exactly-once per
   * partition rests on the offsets alone (stored in the chunk's transaction, read under a per-partition lock, records
   * below them skipped), and repeated ids are dropped within a chunk only; an event republished in a later chunk is
   * applied again. Only for handlers whose effect is idempotent per event (applying an event a second time, after
   * any later events of its key, leaves the same state): it saves one insert per event.
   */
  dedupeEventIds?: boolean;
  fromBeginning?: boolean;
  /** How soon a dead member's partitions move to another (broker minimum 6 s). */
  sessionTimeoutMs?: number;
  /** `consumer_lag` gauge and processed / dead-lettered / ignored counters go here. */
  metrics?: Registry;
  onLag?: (topic: string, partition: number, lag: number) => void;
  onDeadLetter?: (topic: string, reason: string) => void;
  onApplied?: (topic: string, partition: number, outcome: ChunkOutcome) => void;
  onError?: (error: Error) => void;
}

/**
 * A kafkajs consumer whose effects are exactly-once: each chunk's handler work and the consumed offsets are written
 * in one Postgres transaction; Kafka offsets are committed only after that. On (re)assignment it seeks to the offsets
 * stored in Postgres, and any message below them is skipped, so a crash anywhere re-applies nothing.
 */
export class ConsumerRunner<T> {
  private consumer?: Consumer;
  private readonly nextOffsets = new Map<string, bigint>();
  private readonly metrics: ConsumerMetrics;

  constructor(private readonly o: ConsumerRunnerOptions<T>) {
    if (!o.handle && !o.handleBatch) throw new Error('ConsumerRunner needs handle or handleBatch');
    this.metrics = new ConsumerMetrics(o.groupId, o.metrics);
  }

  async start(): Promise<void> {
    const session = this.o.sessionTimeoutMs ?? 30_000;
    const consumer = this.o.kafka.consumer({ groupId: this.o.groupId, sessionTimeout: session, heartbeatInterval: Math.min(3000, session / 3), allowAutoTopicCreation: false });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => void this.seekToStored(payload.memberAssignment).catch((e) => this.o.onError?.(e)));
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      this.metrics.setLag(payload.topic, payload.partition, Number(payload.offsetLag));
      this.o.onLag?.(payload.topic, payload.partition, Number(payload.offsetLag));
    });
    await consumer.connect();
    await consumer.subscribe({ topics: this.o.topics, fromBeginning: this.o.fromBeginning ?? true });
    await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, partitionsConsumedConcurrently: 1, eachBatch: (p) => this.onBatch(p) });
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }

  private async seekToStored(assignment: Record<string, number[]>): Promise<void> {
    for (const [topic, partitions] of Object.entries(assignment)) {
      for (const partition of partitions) {
        const stored = await this.storedNextOffset(topic, partition);
        if (stored !== undefined) this.consumer!.seek({ topic, partition, offset: stored.toString() });
      }
    }
  }

  private async storedNextOffset(topic: string, partition: number): Promise<bigint | undefined> {
    const { rows } = await this.o.pool.query<{ next_offset: string }>(
      'select next_offset from es_consumer_offsets where consumer_group = $1 and topic = $2 and partition = $3', [this.o.groupId, topic, partition]);
    const next = rows.length ? BigInt(rows[0].next_offset) : undefined;
    if (next !== undefined) this.nextOffsets.set(`${topic}:${partition}`, next);
    return next;
  }

  private async onBatch({ batch, heartbeat, isRunning, isStale, resolveOffset }: EachBatchPayload): Promise<void> {
    const { topic, partition } = batch;
    const key = `${topic}:${partition}`;
    if (!this.nextOffsets.has(key)) await this.storedNextOffset(topic, partition);
    const chunkSize = this.o.chunkSize ?? 500;
    for (let i = 0; i < batch.messages.length && isRunning() && !isStale(); i += chunkSize) {
      const chunk = batch.messages.slice(i, i + chunkSize);
      const nextOffset = await this.applyChunk(topic, partition, chunk);
      this.nextOffsets.set(key, nextOffset);
      resolveOffset(chunk[chunk.length - 1].offset);
      await this.consumer!.commitOffsets([{ topic, partition, offset: nextOffset.toString() }]);
      await heartbeat();
    }
  }

  private async applyChunk(topic: string, partition: number, chunk: KafkaMessage[]): Promise<bigint> {
    const client = await this.o.pool.connect();
    try {
      await client.query('begin');
      const already = this.o.dedupeEventIds === false
        ? await this.lockedStoredOffset(client, topic, partition)
        : this.nextOffsets.get(`${topic}:${partition}`) ?? -1n;
      const todo = chunk.filter((m) => BigInt(m.offset) >= already);
      const outcome = await applyMessages(this.o, { client, topic, partition }, todo);
      const last = BigInt(chunk[chunk.length - 1].offset) + 1n;
      const nextOffset = last > already ? last : already;
      await client.query(
        `insert into es_consumer_offsets (consumer_group, topic, partition, next_offset) values ($1, $2, $3, $4)
         on conflict (consumer_group, topic, partition) do update set next_offset = excluded.next_offset, updated_at = now()`,
        [this.o.groupId, topic, partition, nextOffset.toString()]);
      if (outcome.deadLetters.length) await this.sendDeadLetters(topic, partition, outcome.deadLetters);
      await client.query('commit');
      this.record(topic, partition, outcome);
      return nextOffset;
    } catch (e) {
      await client.query('rollback').catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
  }

  /**
   * Without event-id dedupe the stored offset is the only guard, so it is read inside the chunk's transaction under a
   * per-partition lock: a member still applying a partition that a rebalance already gave to another (or a cached
   * offset from an earlier assignment) can never apply records the other has committed.
   */
  private async lockedStoredOffset(client: PoolClient, topic: string, partition: number): Promise<bigint> {
    await client.query('select pg_advisory_xact_lock(hashtext($1))', [`consumer:${this.o.groupId}:${topic}:${partition}`]);
    const { rows } = await client.query<{ next_offset: string }>(
      'select next_offset from es_consumer_offsets where consumer_group = $1 and topic = $2 and partition = $3', [this.o.groupId, topic, partition]);
    return rows.length ? BigInt(rows[0].next_offset) : -1n;
  }

  private record(topic: string, partition: number, outcome: ChunkOutcome): void {
    this.metrics.countProcessed(topic, outcome.applied);
    for (const reason of outcome.ignored) this.metrics.countIgnored(topic, reason);
    for (const { reason } of outcome.deadLetters) {
      this.metrics.countDeadLettered(topic, reason);
      this.o.onDeadLetter?.(topic, reason);
    }
    this.o.onApplied?.(topic, partition, outcome);
  }

  private async sendDeadLetters(topic: string, partition: number, items: DeadLetter[]): Promise<void> {
    await this.o.deadLetterProducer.send({
      topic: deadLetterTopic(topic), acks: -1,
      messages: items.map(({ message, reason, error, attempts }) => ({
        key: message.key, value: message.value,
        headers: { ...(message.headers ?? {}), ...deadLetterHeaders({ reason, error, topic, partition, offset: message.offset, groupId: this.o.groupId, attempts }) },
      })),
    });
  }
}
