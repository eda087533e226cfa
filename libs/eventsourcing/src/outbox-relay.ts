import type { Pool, PoolClient, QueryResult } from 'pg';
import { inTransaction } from './transaction';
import { OUTBOX_WRITE_LOCK } from './event-store';
import type { BatchProducer } from './kafka';
import { packedRecordCount, unpackOutboxRow, type UnpackedRecord } from './outbox-pack';

export { outboxBatchCtes, writeOutboxBatch } from './outbox-writer';
export { DEFAULT_MAX_PACK_BYTES, packOutboxRecords, unpackOutboxRow } from './outbox-pack';

const LOCK_NOT_AVAILABLE = '55P03';
/** Session setting carrying a read's range (`first:last`) past the lock's commit to the payload read. */
const RANGE_SETTING = 'switchboard.outbox_relay_range';

export interface OutboxRelayOptions {
  pool: Pool;
  /** A kafkajs Producer, or createWorkerIdempotentProducer's (encoding off this thread). */
  producer: BatchProducer;
  /** Relay identity: one leader per name publishes; other replicas wait on the advisory lock. */
  name: string;
  batchSize?: number;
  pollIntervalMs?: number;
  onError?: (error: Error) => void;
  /**
   * Upper bound on the bytes of one produce request (default 768 KiB), under the broker's `message.max.bytes`
   * (1 MiB by default): a large backlog is sent in several requests instead of one the broker rejects.
   */
  maxBatchBytes?: number;
  /** How long a read waits for outbox writers in flight before trying again later (default 1000 ms). */
  lockTimeoutMs?: number;
  /**
   * Makes a fresh idempotent producer. After a broker restart, a batch retried with different rows than the one in
   * flight can leave the producer's sequence numbers out of step with the broker's (OUT_OF_ORDER_SEQUENCE_NUMBER,
   * UNKNOWN_PRODUCER_ID): kafkajs never resets them, so every later send fails. With this option the relay replaces
   * the wedged producer (new producer id) and retries from its checkpoint; consumers dedupe the re-sent events by id.
   * Without it such an error is reported through onError and retried with the same producer.
   */
  createProducer?: () => BatchProducer;
  /** Fault-injection seam for tests: runs after Kafka acknowledged a batch and before the checkpoint moves. */
  afterPublish?: (count: number) => void;
}

interface OutboxRow { position: string; transaction_id: string; topic: string; message_key: string; value: Buffer; headers: Record<string, string> }

/**
 * Publishes outbox rows to Kafka in commit-safe order: reads wait for outbox writers in flight (see nextRows), so a
 * row whose position was taken early but committed late is never skipped. A crash after publishing and before the
 * checkpoint moves republishes that batch: consumers deduplicate by event id, so effects stay exactly-once.
 */
export class OutboxRelay {
  private running = false;
  private wake?: () => void;
  private wakeOnCommit?: () => void;
  private loop?: Promise<void>;
  private listener?: PoolClient;
  /** A commit was announced since the last read started: do not sleep through it (the read may have missed it). */
  private notified = false;
  private producer: BatchProducer;
  /** Producers this relay made itself (renewals); it disconnects them on stop. The caller's own stays the caller's. */
  private readonly ownProducers: BatchProducer[] = [];
  /** Records published (a packed row counts as the records it holds). */
  published = 0;
  producerRenewals = 0;

  constructor(private readonly o: OutboxRelayOptions) {
    this.producer = o.producer;
  }

  async start(): Promise<void> {
    this.running = true;
    this.listener = await this.o.pool.connect();
    this.listener.on('notification', () => { this.notified = true; this.wakeOnCommit?.(); });
    await this.listener.query('listen es_outbox');
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    if (this.listener) {
      await this.listener.query('unlisten es_outbox').catch(() => undefined);
      await this.listener.query('select pg_advisory_unlock_all()').catch(() => undefined);
      this.listener.release();
    }
    await Promise.allSettled(this.ownProducers.map((p) => p.disconnect()));
  }

  /**
   * The polling loop overlaps the round trips of consecutive batches: while Kafka acknowledges batch N, the rows of
   * batch N+1 are read (when writers committed more) and the checkpoint of batch N-1 is written. Sends stay strictly
   * one after another (per-key order), checkpoints move in order, and a failure anywhere drops what was read ahead:
   * the next attempt starts from the stored checkpoint, as after a crash.
   */
  private async run(): Promise<void> {
    let ahead: Promise<OutboxRow[]> | null = null;
    let cursor: string | undefined; // last position read; undefined = the stored checkpoint (after a failure)
    while (this.running) {
      try {
        if (!(await this.isLeader())) { await this.sleep(this.o.pollIntervalMs ?? 1000); continue; }
        const rows = await (ahead ?? this.nextRows(cursor));
        ahead = null;
        if (rows.length === 0) {
          await this.checkpointing;
          await this.sleep(this.o.pollIntervalMs ?? 500);
          continue;
        }
        // Read ahead only when a writer committed since this read began: at a low rate, an extra read per batch
        // would only take the writers' lock once more for nothing.
        cursor = rows[rows.length - 1].position;
        if (this.notified) {
          ahead = this.nextRows(cursor);
          ahead.catch(() => undefined); // awaited (and its error handled) on the next turn
        }
        const sent = await this.send(rows);
        await this.checkpointing; // the previous batch's, written while this one was sent; a failure surfaces here
        this.checkpointing = sent === 'published' ? this.commitPublished(rows) : Promise.resolve();
        this.checkpointing.catch(() => undefined); // awaited before the next send completes, a set-aside or a sleep
      } catch (e) {
        await Promise.allSettled([ahead, this.checkpointing]);
        ahead = null;
        cursor = undefined;
        this.checkpointing = Promise.resolve();
        this.o.onError?.(e as Error);
        if (isProducerSequenceBroken(e)) await this.renewProducer().catch((renewal: Error) => this.o.onError?.(renewal));
        await this.sleep(1000, false); // broker or database down: rows stay in the outbox, retried from the checkpoint
      }
    }
    await Promise.allSettled([ahead, this.checkpointing]);
  }

  /** The checkpoint of the batch before the one being sent (the polling loop); they move strictly in order. */
  private checkpointing: Promise<void> = Promise.resolve();
  private leader = false;
  private async isLeader(): Promise<boolean> {
    if (!this.leader) {
      const { rows } = await this.listener!.query<{ ok: boolean }>('select pg_try_advisory_lock(hashtext($1)) as ok', [`outbox-relay:${this.o.name}`]);
      this.leader = rows[0].ok;
    }
    return this.leader;
  }

  /** Publishes one batch; returns how many records it published (1 for a row set aside). */
  async publishBatch(): Promise<number> {
    const rows = await this.nextRows();
    if (rows.length === 0) return 0;
    if ((await this.send(rows)) === 'set-aside') return 1;
    await this.commitPublished(rows);
    return recordCount(rows);
  }

  private async send(rows: OutboxRow[]): Promise<'published' | 'set-aside'> {
    try {
      await this.producer.sendBatch({
        acks: -1,
        topicMessages: groupByTopic(recordsOf(rows)).map(([topic, rs]) => ({
          topic, messages: rs.map((r) => ({ key: r.key, value: r.value, headers: r.headers })),
        })),
      });
    } catch (e) {
      // A single message the broker can never accept would block every later one: set it aside, visibly.
      if (rows.length === 1 && (e as { type?: string }).type === 'MESSAGE_TOO_LARGE') {
        await this.checkpointing;
        await this.setAside(rows[0], (e as Error).message);
        return 'set-aside';
      }
      throw e;
    }
    return 'published';
  }

  private async renewProducer(): Promise<void> {
    if (this.o.createProducer === undefined) return;
    const fresh = this.o.createProducer();
    await fresh.connect();
    const old = this.producer;
    this.producer = fresh;
    this.ownProducers.push(fresh);
    this.producerRenewals++;
    if (this.ownProducers.includes(old)) {
      this.ownProducers.splice(this.ownProducers.indexOf(old), 1);
      await old.disconnect().catch(() => undefined);
    }
  }

  private async commitPublished(rows: OutboxRow[]): Promise<void> {
    this.o.afterPublish?.(rows.length);
    await this.checkpoint(this.o.pool, rows);
    this.published += recordCount(rows);
  }

  /** One statement, so atomic on its own: the checkpoint moves and the published rows go. */
  private async checkpoint(db: Pool | PoolClient, rows: OutboxRow[]): Promise<void> {
    const last = rows[rows.length - 1];
    await db.query(
      `with published as (delete from es_outbox where position = any($4::bigint[]))
       insert into es_outbox_checkpoints (relay, transaction_id, position) values ($1, $2::xid8, $3)
       on conflict (relay) do update set transaction_id = excluded.transaction_id, position = excluded.position, updated_at = now()`,
      [this.o.name, last.transaction_id, last.position, rows.map((r) => r.position)]);
  }

  private async setAside(row: OutboxRow, reason: string): Promise<number> {
    await inTransaction(this.o.pool, async (client) => {
      await client.query(`insert into es_outbox_rejected (position, topic, message_key, value, headers, reason)
        select position, topic, message_key, value, headers, $2 from es_outbox where position = $1`, [row.position, reason]);
      await this.checkpoint(client, [row]);
    });
    this.o.onError?.(new Error(`outbox row ${row.position} for ${row.topic} rejected by the broker and set aside in es_outbox_rejected: ${reason}`));
    return 1;
  }

  /**
   * The next rows after `after` (default: the stored checkpoint), in order, as many as fit the request budget.
   * Taking the writers' lock exclusively waits until every outbox writer in flight in this database has committed
   * (new writers queue behind us), so every row below the highest visible position is committed and none can appear
   * later below it. Unlike a `pg_snapshot_xmin` filter, this is not held back by long transactions in other databases
   * of the same server. A writer holding the lock too long only makes this read give up and retry. Only the range is
   * chosen under the lock (positions and sizes); the payloads of those committed rows are read after it is released,
   * so writers wait for a short scan rather than for the transfer of the whole batch.
   *
   * One round trip of several statements (simple protocol, so values are inlined): each statement takes its own
   * snapshot, so the range query sees every writer the lock waited for. The range crosses the commit in a session
   * setting of this connection (set on every read), so the payloads follow in the same round trip (ADR 0016).
   */
  private async nextRows(after?: string): Promise<OutboxRow[]> {
    this.notified = false;
    if (after !== undefined && !/^[0-9]+$/.test(after)) throw new Error(`outbox position: expected digits, got ${after}`);
    const int = (n: number) => Math.max(1, Math.floor(n));
    const client = await this.o.pool.connect();
    try {
      const results = (await client.query(`begin;
        set local lock_timeout = '${int(this.o.lockTimeoutMs ?? 1000)}ms';
        select pg_advisory_xact_lock(${OUTBOX_WRITE_LOCK});
        select set_config('${RANGE_SETTING}', coalesce(min(position)::text || ':' || max(position)::text, ''), false) from (
          select n.position, row_number() over (order by n.position) as rn,
                 sum(octet_length(n.value) + octet_length(n.message_key) + pg_column_size(n.headers) + 70) over (order by n.position) as running
            from (select o.position, o.message_key, o.value, o.headers
                    from es_outbox o
                   where o.position > ${after ?? `coalesce((select c.position from es_outbox_checkpoints c where c.relay = ${client.escapeLiteral(this.o.name)}), 0)`}
                   order by o.position
                   limit ${int(this.o.batchSize ?? 1000)}) n) sized
         where rn = 1 or running <= ${int(this.o.maxBatchBytes ?? 768 * 1024)};
        commit;
        select position, transaction_id::text, topic, message_key, value, headers from es_outbox
         where position between split_part(nullif(current_setting('${RANGE_SETTING}'), ''), ':', 1)::bigint
                            and split_part(nullif(current_setting('${RANGE_SETTING}'), ''), ':', 2)::bigint
         order by position`)) as unknown as QueryResult<OutboxRow>[];
      return results[5].rows;
    } catch (e) {
      await client.query('rollback').catch(() => undefined);
      if ((e as { code?: string }).code === LOCK_NOT_AVAILABLE) return [];
      throw e;
    } finally {
      client.release();
    }
  }

  /** Waits `ms`, or less when stopped or (with `untilCommit`) when an outbox writer commits. */
  private sleep(ms: number, untilCommit = true): Promise<void> {
    if (!this.running || (untilCommit && this.notified)) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.wake = () => { clearTimeout(t); resolve(); };
      this.wakeOnCommit = untilCommit ? this.wake : undefined;
    });
  }
}

const recordCount = (rows: OutboxRow[]) => rows.reduce((n, r) => n + packedRecordCount(r.topic, r.headers), 0);

/** The records the rows hold, in order (a packed row holds several). */
function recordsOf(rows: OutboxRow[]): UnpackedRecord[] {
  const records: UnpackedRecord[] = [];
  for (const row of rows) for (const r of unpackOutboxRow(row.topic, row.message_key, row.value, row.headers)) records.push(r);
  return records;
}

function groupByTopic(records: UnpackedRecord[]): [string, UnpackedRecord[]][] {
  const m = new Map<string, UnpackedRecord[]>();
  for (const r of records) {
    const list = m.get(r.topic);
    if (list) list.push(r);
    else m.set(r.topic, [r]);
  }
  return [...m];
}

const BROKEN_SEQUENCE_TYPES = new Set(['OUT_OF_ORDER_SEQUENCE_NUMBER', 'UNKNOWN_PRODUCER_ID', 'INVALID_PRODUCER_EPOCH']);

/** True when kafkajs reports (possibly wrapped in its retry errors) that the idempotent producer's state is broken. */
export function isProducerSequenceBroken(e: unknown, depth = 0): boolean {
  if (e === null || typeof e !== 'object' || depth > 5) return false;
  const err = e as { type?: unknown; cause?: unknown; originalError?: unknown; errors?: unknown };
  if (typeof err.type === 'string' && BROKEN_SEQUENCE_TYPES.has(err.type)) return true;
  const nested = [err.cause, err.originalError, ...(Array.isArray(err.errors) ? err.errors : [])];
  return nested.some((n) => isProducerSequenceBroken(n, depth + 1));
}
