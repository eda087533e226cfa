import type { Producer } from 'kafkajs';
import type { Pool, PoolClient } from 'pg';
import { inTransaction } from './transaction';
import { OUTBOX_WRITE_LOCK } from './event-store';

const LOCK_NOT_AVAILABLE = '55P03';

export interface OutboxRelayOptions {
  pool: Pool;
  producer: Producer;
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
  private loop?: Promise<void>;
  private listener?: PoolClient;
  published = 0;

  constructor(private readonly o: OutboxRelayOptions) {}

  async start(): Promise<void> {
    this.running = true;
    this.listener = await this.o.pool.connect();
    this.listener.on('notification', () => this.wake?.());
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
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        if (!(await this.isLeader())) { await this.sleep(this.o.pollIntervalMs ?? 1000); continue; }
        const n = await this.publishBatch();
        if (n === 0) await this.sleep(this.o.pollIntervalMs ?? 500);
      } catch (e) {
        this.o.onError?.(e as Error);
        await this.sleep(1000); // broker or database down: rows stay in the outbox, retried from the checkpoint
      }
    }
  }

  private leader = false;
  private async isLeader(): Promise<boolean> {
    if (!this.leader) {
      const { rows } = await this.listener!.query<{ ok: boolean }>('select pg_try_advisory_lock(hashtext($1)) as ok', [`outbox-relay:${this.o.name}`]);
      this.leader = rows[0].ok;
    }
    return this.leader;
  }

  /** Publishes one batch; returns how many rows it published. */
  async publishBatch(): Promise<number> {
    const rows = await this.nextRows();
    if (rows.length === 0) return 0;
    try {
      await this.o.producer.sendBatch({
        acks: -1,
        topicMessages: groupByTopic(rows).map(([topic, rs]) => ({
          topic, messages: rs.map((r) => ({ key: r.message_key, value: r.value, headers: r.headers })),
        })),
      });
    } catch (e) {
      // A single message the broker can never accept would block every later one: set it aside, visibly.
      if (rows.length === 1 && (e as { type?: string }).type === 'MESSAGE_TOO_LARGE') return this.setAside(rows[0], (e as Error).message);
      throw e;
    }
    this.o.afterPublish?.(rows.length);
    await inTransaction(this.o.pool, (client) => this.checkpoint(client, rows));
    this.published += rows.length;
    return rows.length;
  }

  private async checkpoint(client: PoolClient, rows: OutboxRow[]): Promise<void> {
    const last = rows[rows.length - 1];
    await client.query(
      `insert into es_outbox_checkpoints (relay, transaction_id, position) values ($1, $2::xid8, $3)
       on conflict (relay) do update set transaction_id = excluded.transaction_id, position = excluded.position, updated_at = now()`,
      [this.o.name, last.transaction_id, last.position]);
    await client.query('delete from es_outbox where position = any($1::bigint[])', [rows.map((r) => r.position)]);
  }

  /**
   * Taking the writers' lock exclusively waits until every outbox writer in flight in this database has committed
   * (new writers queue behind us), so every row below the highest visible position is committed and none can appear
   * later below it. Unlike a `pg_snapshot_xmin` filter, this is not held back by long transactions in other databases
   * of the same server. A writer holding the lock too long only makes this read give up and retry.
   */
  private async setAside(row: OutboxRow, reason: string): Promise<number> {
    await inTransaction(this.o.pool, async (client) => {
      await client.query(`insert into es_outbox_rejected (position, topic, message_key, value, headers, reason)
        select position, topic, message_key, value, headers, $2 from es_outbox where position = $1`, [row.position, reason]);
      await this.checkpoint(client, [row]);
    });
    this.o.onError?.(new Error(`outbox row ${row.position} for ${row.topic} rejected by the broker and set aside in es_outbox_rejected: ${reason}`));
    return 1;
  }

  private async nextRows(): Promise<OutboxRow[]> {
    try {
      return await inTransaction(this.o.pool, async (client) => {
        await client.query(`set local lock_timeout = '${Math.max(1, Math.floor(this.o.lockTimeoutMs ?? 1000))}ms'`);
        await client.query('select pg_advisory_xact_lock($1)', [OUTBOX_WRITE_LOCK]);
        // The first rows in order whose running size fits the request budget (always at least one).
        const { rows } = await client.query<OutboxRow>(
          `select position, transaction_id, topic, message_key, value, headers from (
             select n.*, row_number() over (order by n.position) as rn,
                    sum(octet_length(n.value) + octet_length(n.message_key) + octet_length(n.headers::text) + 70) over (order by n.position) as running
               from (select o.position, o.transaction_id::text, o.topic, o.message_key, o.value, o.headers
                       from es_outbox o
                       left join es_outbox_checkpoints c on c.relay = $1
                      where o.position > coalesce(c.position, 0)
                      order by o.position
                      limit $2) n) sized
            where rn = 1 or running <= $3
            order by position`, [this.o.name, this.o.batchSize ?? 1000, this.o.maxBatchBytes ?? 768 * 1024]);
        return rows;
      });
    } catch (e) {
      if ((e as { code?: string }).code === LOCK_NOT_AVAILABLE) return [];
      throw e;
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.wake = () => { clearTimeout(t); resolve(); };
    });
  }
}

function groupByTopic(rows: OutboxRow[]): [string, OutboxRow[]][] {
  const m = new Map<string, OutboxRow[]>();
  for (const r of rows) {
    const list = m.get(r.topic);
    if (list) list.push(r);
    else m.set(r.topic, [r]);
  }
  return [...m];
}
