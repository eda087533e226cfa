import type { Consumer, EachBatchPayload, IHeaders, Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { Pool, PoolClient } from 'pg';
import { deadLetterHeaders, deadLetterTopic, PoisonMessage } from './dead-letter';

export interface DecodedMessage<T> {
  /** Used to deduplicate redelivered or republished messages. */
  eventId: string;
  value: T;
}

export interface MessageContext {
  client: PoolClient;
  topic: string;
  partition: number;
  offset: string;
  headers: IHeaders;
}

export interface ConsumerRunnerOptions<T> {
  kafka: Kafka;
  pool: Pool;
  groupId: string;
  topics: string[];
  /** Throws PoisonMessage for input that can never be handled (schema-invalid); it goes to the DLQ at once. */
  decode: (message: KafkaMessage, topic: string) => DecodedMessage<T>;
  handle: (value: T, ctx: MessageContext) => Promise<void>;
  /** Producer for dead letters; a message is dead-lettered before its offset is committed, so none is lost. */
  deadLetterProducer: Producer;
  maxAttempts?: number;
  /** Messages applied per Postgres transaction. */
  chunkSize?: number;
  fromBeginning?: boolean;
  /** How soon a dead member's partitions move to another (broker minimum 6 s). */
  sessionTimeoutMs?: number;
  onLag?: (topic: string, partition: number, lag: number) => void;
  onDeadLetter?: (topic: string, reason: string) => void;
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

  constructor(private readonly o: ConsumerRunnerOptions<T>) {}

  async start(): Promise<void> {
    const consumer = this.o.kafka.consumer({ groupId: this.o.groupId, sessionTimeout: this.o.sessionTimeoutMs ?? 30_000, heartbeatInterval: Math.min(3000, (this.o.sessionTimeoutMs ?? 30_000) / 3), allowAutoTopicCreation: false });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => void this.seekToStored(payload.memberAssignment).catch((e) => this.o.onError?.(e)));
    if (this.o.onLag) {
      consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => this.o.onLag!(payload.topic, payload.partition, Number(payload.offsetLag)));
    }
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
      const last = chunk[chunk.length - 1].offset;
      resolveOffset(last);
      await this.consumer!.commitOffsets([{ topic, partition, offset: nextOffset.toString() }]);
      await heartbeat();
    }
  }

  private async applyChunk(topic: string, partition: number, chunk: KafkaMessage[]): Promise<bigint> {
    const already = this.nextOffsets.get(`${topic}:${partition}`) ?? -1n;
    const client = await this.o.pool.connect();
    const deadLetters: { message: KafkaMessage; reason: string; error: string }[] = [];
    try {
      await client.query('begin');
      for (const message of chunk) {
        if (BigInt(message.offset) < already) continue;
        const failure = await this.applyOne(client, topic, partition, message);
        if (failure) deadLetters.push({ message, ...failure });
      }
      const nextOffset = BigInt(chunk[chunk.length - 1].offset) + 1n;
      await client.query(
        `insert into es_consumer_offsets (consumer_group, topic, partition, next_offset) values ($1, $2, $3, $4)
         on conflict (consumer_group, topic, partition) do update set next_offset = excluded.next_offset, updated_at = now()`,
        [this.o.groupId, topic, partition, nextOffset.toString()]);
      if (deadLetters.length) await this.sendDeadLetters(topic, partition, deadLetters);
      await client.query('commit');
      return nextOffset;
    } catch (e) {
      await client.query('rollback').catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
  }

  /** Applies one message inside a savepoint; returns why it must be dead-lettered, or undefined when done. */
  private async applyOne(client: PoolClient, topic: string, partition: number, message: KafkaMessage): Promise<{ reason: string; error: string } | undefined> {
    let decoded: DecodedMessage<T>;
    try {
      decoded = this.o.decode(message, topic);
    } catch (e) {
      if (e instanceof PoisonMessage) return { reason: 'invalid-message', error: e.message };
      throw e;
    }
    const maxAttempts = this.o.maxAttempts ?? 3;
    let lastError = '';
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      await client.query('savepoint sb_message');
      try {
        const { rowCount } = await client.query(
          'insert into es_consumer_processed (consumer_group, event_id) values ($1, $2) on conflict do nothing', [this.o.groupId, decoded.eventId]);
        if (rowCount === 1) {
          await this.o.handle(decoded.value, { client, topic, partition, offset: message.offset, headers: message.headers ?? {} });
        }
        await client.query('release savepoint sb_message');
        return undefined;
      } catch (e) {
        await client.query('rollback to savepoint sb_message');
        lastError = (e as Error).message;
      }
    }
    return { reason: 'handler-failed', error: `after ${maxAttempts} attempts: ${lastError}` };
  }

  private async sendDeadLetters(topic: string, partition: number, items: { message: KafkaMessage; reason: string; error: string }[]): Promise<void> {
    await this.o.deadLetterProducer.send({
      topic: deadLetterTopic(topic), acks: -1,
      messages: items.map(({ message, reason, error }) => ({
        key: message.key, value: message.value,
        headers: { ...(message.headers ?? {}), ...deadLetterHeaders({ reason, error, topic, partition, offset: message.offset, groupId: this.o.groupId }) },
      })),
    });
    for (const { reason } of items) this.o.onDeadLetter?.(topic, reason);
  }
}
