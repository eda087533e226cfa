import type { Producer } from 'kafkajs';
import type { Pool, PoolClient } from 'pg';
import { inTransaction } from './transaction';

export interface OutboxRelayOptions {
  pool: Pool;
  producer: Producer;
  /** Relay identity: one leader per name publishes; other replicas wait on the advisory lock. */
  name: string;
  batchSize?: number;
  pollIntervalMs?: number;
  onError?: (error: Error) => void;
  /** Fault-injection seam for tests: runs after Kafka acknowledged a batch and before the checkpoint moves. */
  afterPublish?: (count: number) => void;
}

interface OutboxRow { position: string; transaction_id: string; topic: string; message_key: string; value: Buffer; headers: Record<string, string> }

/**
 * Publishes outbox rows to Kafka in commit-safe order. Rows are read by (transaction id, position) and only from
 * transactions older than the oldest one still running (`pg_snapshot_xmin`), so a row whose sequence number was
 * taken early but committed late is never skipped. A crash after publishing and before the checkpoint moves
 * republishes that batch: consumers deduplicate by event id, so effects stay exactly-once.
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
    await this.o.producer.sendBatch({
      acks: -1,
      topicMessages: groupByTopic(rows).map(([topic, rs]) => ({
        topic, messages: rs.map((r) => ({ key: r.message_key, value: r.value, headers: r.headers })),
      })),
    });
    this.o.afterPublish?.(rows.length);
    const last = rows[rows.length - 1];
    await inTransaction(this.o.pool, async (client) => {
      await client.query(
        `insert into es_outbox_checkpoints (relay, transaction_id, position) values ($1, $2::xid8, $3)
         on conflict (relay) do update set transaction_id = excluded.transaction_id, position = excluded.position, updated_at = now()`,
        [this.o.name, last.transaction_id, last.position]);
      await client.query('delete from es_outbox where position = any($1::bigint[])', [rows.map((r) => r.position)]);
    });
    this.published += rows.length;
    return rows.length;
  }

  private async nextRows(): Promise<OutboxRow[]> {
    const { rows } = await this.o.pool.query<OutboxRow>(
      `select o.position, o.transaction_id::text, o.topic, o.message_key, o.value, o.headers
         from es_outbox o
         left join es_outbox_checkpoints c on c.relay = $1
        where (o.transaction_id, o.position) > (coalesce(c.transaction_id, '0'::xid8), coalesce(c.position, 0))
          and o.transaction_id < pg_snapshot_xmin(pg_current_snapshot())
        order by o.transaction_id, o.position
        limit $2`, [this.o.name, this.o.batchSize ?? 1000]);
    return rows;
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
