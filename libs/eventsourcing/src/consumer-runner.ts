import type { Consumer, EachBatchPayload, IHeaders, Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { Pool, PoolClient, QueryResult } from 'pg';
import type { Registry } from 'prom-client';
import { applyMessages, ChunkOpening, ChunkOutcome, ChunkPart, DeadLetter } from './consumer-chunk';
import { ConsumerMetrics } from './consumer-metrics';
import { deadLetterHeaders, deadLetterTopic } from './dead-letter';
import { fetchTopicOffsetsRetrying } from './topic-offsets';

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
  /**
   * Runs `task` after the chunk's transaction commits, and never if this work is rolled back: for effects outside
   * Postgres that must follow their durable record (a PBX action claimed in the transaction). Tasks start in
   * registration order and are not awaited by the fetch loop, so the consumer moves on; `stop()` waits for them.
   */
  afterCommit(task: () => Promise<void>): void;
}
export interface BatchItem<T> { value: T; eventId: string; offset: string; headers: IHeaders; topic: string; partition: number }

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
   * Up to this many partitions' batches, delivered together by a fetch, are applied in one transaction (group
   * commit; default 1: each partition's batch in a transaction of its own). Order within a partition holds either
   * way; the batch handler then gets items of several partitions at once (each item names its own) and the context
   * names the first. Saves a commit and the offsets bookkeeping per partition, most of a small batch's cost.
   */
  partitionsPerTransaction?: number;
  /** Awaited before each chunk's transaction opens, holding no connection: backpressure from after-commit work. */
  beforeChunk?: () => Promise<void>;
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
  /**
   * How often the offsets stored in Postgres are copied to Kafka's group offsets (default 5000 ms), all partitions in
   * one request, one request at a time. They only inform lag tools and a group without stored offsets: the offsets
   * that count are Postgres's. Not per chunk: a commit waits on the broker (5-40 ms), the broker answers a
   * connection's requests in turn, and the heartbeat the fetch loop awaits shares the commits' connection, so commits
   * per chunk stalled the loop by hundreds of ms (ADR 0013).
   */
  kafkaCommitIntervalMs?: number;
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
  private readonly afterCommitInFlight = new Set<Promise<void>>();
  /** Partitions' chunks waiting for the next group transaction (partitionsPerTransaction > 1). */
  private readonly waiting: { part: ChunkPart; resolve: (next: bigint) => void; reject: (e: unknown) => void }[] = [];
  private applying: Promise<void> | null = null;
  private readonly kafkaOffsets: KafkaOffsetMirror;

  constructor(private readonly o: ConsumerRunnerOptions<T>) {
    if (!o.handle && !o.handleBatch) throw new Error('ConsumerRunner needs handle or handleBatch');
    if (o.kafkaCommitIntervalMs !== undefined && !(Number.isFinite(o.kafkaCommitIntervalMs) && o.kafkaCommitIntervalMs >= 0)) {
      throw new Error(`kafkaCommitIntervalMs: expected a number of ms >= 0, got ${o.kafkaCommitIntervalMs}`);
    }
    this.metrics = new ConsumerMetrics(o.groupId, o.metrics);
    this.kafkaOffsets = new KafkaOffsetMirror((offsets) => this.consumer!.commitOffsets(offsets), o.kafkaCommitIntervalMs ?? 5000, (e) => this.o.onError?.(e));
  }

  async start(): Promise<void> {
    const session = this.o.sessionTimeoutMs ?? 30_000;
    const consumer = this.o.kafka.consumer({ groupId: this.o.groupId, sessionTimeout: session, heartbeatInterval: Math.min(3000, session / 3), allowAutoTopicCreation: false });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      this.kafkaOffsets.retain(payload.memberAssignment);
      void this.seekToStored(payload.memberAssignment).catch((e) => this.o.onError?.(e));
    });
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      this.metrics.setLag(payload.topic, payload.partition, Number(payload.offsetLag));
      this.o.onLag?.(payload.topic, payload.partition, Number(payload.offsetLag));
    });
    await consumer.connect();
    await consumer.subscribe({ topics: this.o.topics, fromBeginning: this.o.fromBeginning ?? true });
    await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, partitionsConsumedConcurrently: this.o.partitionsPerTransaction ?? 1, eachBatch: (p) => this.onBatch(p) });
  }

  /** Copies the stored offsets to Kafka, leaves the group, then waits for the after-commit tasks still running. */
  async stop(): Promise<void> {
    await this.kafkaOffsets.flush();
    await this.consumer?.disconnect();
    this.kafkaOffsets.close();
    while (this.afterCommitInFlight.size > 0) await Promise.allSettled([...this.afterCommitInFlight]);
  }

  /**
   * Postgres holds the offsets that count. With none stored (a new database), a group that starts from the beginning
   * is sent to each partition's first offset: Kafka may still keep this group's committed offsets from an earlier
   * database, and resuming there would skip everything before them.
   */
  private async seekToStored(assignment: Record<string, number[]>): Promise<void> {
    for (const [topic, partitions] of Object.entries(assignment)) {
      let earliest: Map<number, string> | undefined;
      for (const partition of partitions) {
        const stored = await this.storedNextOffset(topic, partition);
        if (stored !== undefined) {
          this.consumer!.seek({ topic, partition, offset: stored.toString() });
          continue;
        }
        if (this.o.fromBeginning === false) continue;
        earliest ??= await this.firstOffsets(topic);
        this.consumer!.seek({ topic, partition, offset: earliest.get(partition) ?? '0' });
      }
    }
  }

  private async firstOffsets(topic: string): Promise<Map<number, string>> {
    const admin = this.o.kafka.admin();
    await admin.connect();
    try {
      return new Map((await fetchTopicOffsetsRetrying(admin, topic)).map((p) => [p.partition, p.low]));
    } finally {
      await admin.disconnect();
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
    const chunkSize = this.o.chunkSize ?? 500;
    for (let i = 0; i < batch.messages.length && isRunning() && !isStale(); i += chunkSize) {
      const chunk = batch.messages.slice(i, i + chunkSize);
      await this.o.beforeChunk?.();
      const nextOffset = await this.applyTogether({ topic, partition, messages: chunk });
      this.nextOffsets.set(key, nextOffset);
      resolveOffset(chunk[chunk.length - 1].offset);
      this.kafkaOffsets.note(topic, partition, nextOffset);
      await heartbeat();
    }
  }

  private applyTogether(part: ChunkPart): Promise<bigint> {
    if ((this.o.partitionsPerTransaction ?? 1) <= 1) return this.applyGroup([part]).then(([next]) => next);
    return new Promise((resolve, reject) => {
      this.waiting.push({ part, resolve, reject });
      this.applyWaiting();
    });
  }

  /** Group commit: the partitions waiting when a transaction starts are applied in it together. */
  private applyWaiting(): void {
    if (this.applying !== null || this.waiting.length === 0) return;
    this.applying = (async () => {
      await new Promise((r) => setImmediate(r)); // the other partitions of the same fetch join
      const group = this.waiting.splice(0);
      try {
        const next = await this.applyGroup(group.map((w) => w.part));
        group.forEach((w, i) => w.resolve(next[i]));
      } catch (e) {
        group.forEach((w) => w.reject(e));
      }
    })().finally(() => {
      this.applying = null;
      this.applyWaiting();
    });
  }

  /**
   * One transaction: the parts' new messages, their next offsets and dead letters; returns each part's next offset.
   * Opening (with the partition locks and stored offsets) and closing (offsets and commit) are one round trip each:
   * a small chunk's cost is its round trips, and under load each is a wake-up of two busy processes (ADR 0016).
   */
  private async applyGroup(parts: ChunkPart[]): Promise<bigint[]> {
    const client = await this.o.pool.connect();
    try {
      const { already, opening } = await this.open(client, parts);
      const todo = parts.map((p, i) => ({ ...p, messages: p.messages.filter((m) => BigInt(m.offset) >= already[i]) }));
      const { outcomes, afterCommit } = await applyMessages(this.o, client, todo, opening);
      const next = parts.map((p, i) => {
        const last = BigInt(p.messages[p.messages.length - 1].offset) + 1n;
        return last > already[i] ? last : already[i];
      });
      // Dead letters are on Kafka before the offsets past them commit, so none is lost.
      for (const [i, p] of parts.entries()) if (outcomes[i].deadLetters.length) await this.sendDeadLetters(p.topic, p.partition, outcomes[i].deadLetters);
      // Simple protocol (values inlined) so the commit travels with the statement; an error stops the string before it.
      const lit = (v: string) => client.escapeLiteral(v);
      await client.query(`insert into es_consumer_offsets (consumer_group, topic, partition, next_offset) values
        ${parts.map((p, i) => `(${lit(this.o.groupId)}, ${lit(p.topic)}, ${partitionOf(p)}, ${next[i].toString()})`).join(', ')}
        on conflict (consumer_group, topic, partition) do update set next_offset = excluded.next_offset, updated_at = now();
        commit`);
      afterCommit.forEach((task) => this.startAfterCommit(task));
      parts.forEach((p, i) => this.record(p.topic, p.partition, outcomes[i]));
      return next;
    } catch (e) {
      await client.query('rollback').catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
  }

  /**
   * Each part's stored next offset, and how much of the transaction's opening is done. Without event-id dedupe, the
   * opening (with the batch savepoint) is done here, with the locked offsets read. With it, the offsets are this
   * member's own (read only for parts it has not applied since it was assigned them) and `begin` is left to travel
   * with the event-id claims (ADR 0017).
   */
  private async open(client: PoolClient, parts: ChunkPart[]): Promise<{ already: bigint[]; opening: ChunkOpening }> {
    const batchSavepoint = this.o.handleBatch !== undefined;
    if (this.o.dedupeEventIds === false) return { already: await this.beginLocked(client, parts, batchSavepoint), opening: { begun: true, batchSavepoint } };
    const known = (p: ChunkPart) => this.nextOffsets.has(`${p.topic}:${p.partition}`);
    if (parts.every(known)) return { already: await this.knownOffsets(client, parts), opening: { begun: false, batchSavepoint: false } };
    await client.query('begin');
    return { already: await this.knownOffsets(client, parts), opening: { begun: true, batchSavepoint: false } };
  }

  /**
   * Without event-id dedupe the stored offset is the only guard, so it is read inside the chunk's transaction under a
   * per-partition lock: a member still applying a partition that a rebalance already gave to another (or a cached
   * offset from an earlier assignment) can never apply records the other has committed. Locks are taken in one order.
   */
  private async beginLocked(client: PoolClient, parts: ChunkPart[], batchSavepoint: boolean): Promise<bigint[]> {
    const lit = (v: string) => client.escapeLiteral(v);
    const keys = parts.map((p) => `consumer:${this.o.groupId}:${p.topic}:${p.partition}`).sort();
    // One round trip of three statements (simple protocol, values inlined); each statement takes its own snapshot,
    // so the offsets are read after the locks are granted.
    const results = (await client.query(`begin;
      select pg_advisory_xact_lock(hashtext(k)) from (select k from unnest(array[${keys.map(lit).join(', ')}]::text[]) as k order by k) as ordered;
      select topic, partition, next_offset from es_consumer_offsets where consumer_group = ${lit(this.o.groupId)}
         and (topic, partition) in (values ${parts.map((p) => `(${lit(p.topic)}, ${partitionOf(p)})`).join(', ')})${batchSavepoint ? ';\n      savepoint sb_batch' : ''}`)) as unknown as QueryResult<{ topic: string; partition: number; next_offset: string }>[];
    const stored = new Map(results[2].rows.map((r) => [`${r.topic}:${r.partition}`, BigInt(r.next_offset)]));
    return parts.map((p) => stored.get(`${p.topic}:${p.partition}`) ?? -1n);
  }

  /**
   * The offsets this member last stored, read from Postgres (in the chunk's transaction, one statement) for the
   * parts it has not applied since it was assigned them. Read here and not before the chunk is queued, so that a
   * fetch's partitions reach the group transaction together.
   */
  private async knownOffsets(client: PoolClient, parts: ChunkPart[]): Promise<bigint[]> {
    const keyOf = (p: ChunkPart) => `${p.topic}:${p.partition}`;
    const unknown = parts.filter((p) => !this.nextOffsets.has(keyOf(p)));
    if (unknown.length > 0) {
      const stored = await this.storedOffsets(client, unknown);
      unknown.forEach((p, i) => { if (stored[i] >= 0n) this.nextOffsets.set(keyOf(p), stored[i]); });
    }
    return parts.map((p) => this.nextOffsets.get(keyOf(p)) ?? -1n);
  }

  private async storedOffsets(client: PoolClient, parts: ChunkPart[]): Promise<bigint[]> {
    const { rows } = await client.query<{ topic: string; partition: number; next_offset: string }>(
      `select topic, partition, next_offset from es_consumer_offsets
        where consumer_group = $1 and (topic, partition) in (select * from unnest($2::text[], $3::int[]))`, [this.o.groupId, parts.map((p) => p.topic), parts.map((p) => p.partition)]);
    const stored = new Map(rows.map((r) => [`${r.topic}:${r.partition}`, BigInt(r.next_offset)]));
    return parts.map((p) => stored.get(`${p.topic}:${p.partition}`) ?? -1n);
  }

  private startAfterCommit(task: () => Promise<void>): void {
    const running: Promise<void> = Promise.resolve().then(task).catch((e: Error) => this.o.onError?.(e)).finally(() => this.afterCommitInFlight.delete(running));
    this.afterCommitInFlight.add(running);
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

/** A partition number for inlined SQL (never anything but an integer). */
function partitionOf(p: ChunkPart): number {
  if (!Number.isInteger(p.partition) || p.partition < 0) throw new Error(`partition: expected a non-negative integer, got ${p.partition}`);
  return p.partition;
}

interface TopicPartitionOffset { topic: string; partition: number; offset: string }

/**
 * Kafka's copy of the stored offsets, coalesced: the latest offset of each partition, sent in one OffsetCommit at
 * most every `intervalMs`, never two at once. The broker handles one request of a connection at a time, and kafkajs
 * sends commits and heartbeats over the same connection (fetches over another): a commit per partition per chunk
 * (~100/s at the closed loop's rate, 5-40 ms each on the broker) queued ahead of the heartbeat the fetch loop awaits.
 */
export class KafkaOffsetMirror {
  private readonly pending = new Map<string, TopicPartitionOffset>();
  private timer?: NodeJS.Timeout;
  private inFlight?: Promise<void>;
  private closed = false;
  /** The latest assignment (undefined until the first): a failed commit is retried only for partitions still ours. */
  private assigned?: Record<string, number[]>;

  constructor(private readonly commit: (offsets: TopicPartitionOffset[]) => Promise<void>, private readonly intervalMs: number,
    private readonly onError: (e: Error) => void) {}

  note(topic: string, partition: number, nextOffset: bigint): void {
    this.pending.set(`${topic}:${partition}`, { topic, partition, offset: nextOffset.toString() });
    this.schedule();
  }

  /** After a rebalance: partitions no longer assigned are the new owner's to commit. */
  retain(assignment: Record<string, number[]>): void {
    this.assigned = assignment;
    for (const [key, o] of this.pending) if (!this.isAssigned(o)) this.pending.delete(key);
  }

  /** Sends what is pending now (after the commit in flight, if any). */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.inFlight;
    await this.send();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.pending.clear();
  }

  private schedule(): void {
    if (this.timer !== undefined || this.inFlight !== undefined || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.send();
    }, this.intervalMs);
  }

  private send(): Promise<void> {
    if (this.inFlight !== undefined || this.pending.size === 0) return this.inFlight ?? Promise.resolve();
    const offsets = [...this.pending.values()];
    this.pending.clear();
    this.inFlight = this.commit(offsets).catch((e: Error) => {
      // Retried with the next send unless a newer offset came meanwhile (or a rebalance took the partition).
      for (const o of offsets) if (!this.pending.has(`${o.topic}:${o.partition}`) && this.isAssigned(o)) this.pending.set(`${o.topic}:${o.partition}`, o);
      this.onError(e);
    }).finally(() => {
      this.inFlight = undefined;
      if (this.pending.size > 0) this.schedule();
    });
    return this.inFlight;
  }

  private isAssigned({ topic, partition }: TopicPartitionOffset): boolean {
    return this.assigned === undefined || (this.assigned[topic]?.includes(partition) ?? false);
  }
}
