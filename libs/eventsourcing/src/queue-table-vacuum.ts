import type { Pool } from 'pg';

/**
 * The event store's tables that are written and deleted (or updated) all day long: every row of the outbox is deleted
 * a few milliseconds after it was inserted, and the checkpoints and offsets are rewritten with every batch. Their dead
 * rows are reclaimed only by VACUUM; without it the outbox grows by about 1 MB a second at the gateway's 2,000
 * frames/s and inserts keep extending the file (docs/adr/0021-queue-table-vacuum.md).
 */
export const EVENT_STORE_QUEUE_TABLES: readonly string[] = ['es_outbox', 'es_outbox_checkpoints', 'es_consumer_offsets'];

/** Per-table autovacuum settings for queue tables: vacuum after a fixed number of dead rows, not a fraction of the table. */
export const QUEUE_TABLE_AUTOVACUUM = 'autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 5000, autovacuum_vacuum_cost_delay = 0';

export interface QueueTableStats {
  readonly table: string;
  readonly deadTuples: number;
  /** False when the table's own `autovacuum_enabled` storage parameter turns autovacuum off for it. */
  readonly autovacuumEnabled: boolean;
}

/**
 * Which tables this process vacuums itself: those autovacuum does not look after (off for the whole server, or for
 * the table) once they hold at least `minDeadTuples` dead rows. Where autovacuum runs, it is left to do its job.
 */
export function tablesToVacuum(autovacuumOn: boolean, stats: readonly QueueTableStats[], minDeadTuples: number): string[] {
  return stats.filter((s) => !(autovacuumOn && s.autovacuumEnabled) && s.deadTuples >= minDeadTuples).map((s) => s.table);
}

export interface QueueTableVacuumOptions {
  readonly pool: Pool;
  /** Default EVENT_STORE_QUEUE_TABLES; a service adds its own churning tables. */
  readonly tables?: readonly string[];
  /** How often dead rows are looked at (default 10 s). */
  readonly intervalMs?: number;
  /** Dead rows from which a table is vacuumed (default 5,000, as QUEUE_TABLE_AUTOVACUUM's threshold). */
  readonly minDeadTuples?: number;
  readonly log?: (level: 'info' | 'warn', message: string, detail?: Record<string, unknown>) => void;
}

/**
 * Vacuums the queue tables autovacuum does not (a server run with `autovacuum = off`, as some are to keep batch jobs
 * predictable, or a table with it disabled). `VACUUM (SKIP_LOCKED)` takes no lock that blocks inserts, deletes or
 * reads, and replicas doing it at the same time skip each other's tables.
 */
export class QueueTableVacuum {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private warned = false;
  /** Tables vacuumed by this process since start. */
  vacuums = 0;

  constructor(private readonly o: QueueTableVacuumOptions) {}

  start(): void {
    const tick = () => {
      this.running = this.runOnce().then(() => undefined, (e: Error) => this.o.log?.('warn', 'queue table vacuum failed; retrying at the next interval', { error: e.message }))
        .finally(() => {
          this.running = null;
          if (this.timer !== null) this.timer = setTimeout(tick, this.o.intervalMs ?? 10_000).unref();
        });
    };
    this.timer = setTimeout(tick, 0).unref();
  }

  async stop(): Promise<void> {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One look: reads autovacuum's settings and the dead rows, vacuums what needs it; returns the tables vacuumed. */
  async runOnce(): Promise<string[]> {
    const tables = this.o.tables ?? EVENT_STORE_QUEUE_TABLES;
    const { rows: [server] } = await this.o.pool.query<{ on: boolean }>(`select current_setting('autovacuum')::boolean and current_setting('track_counts')::boolean as on`);
    const { rows } = await this.o.pool.query<{ table: string; dead: string; enabled: boolean }>(
      `select c.relname as table, coalesce(s.n_dead_tup, 0) as dead,
              not coalesce('autovacuum_enabled=false' = any(c.reloptions) or 'autovacuum_enabled=off' = any(c.reloptions), false) as enabled
         from pg_class c left join pg_stat_user_tables s on s.relid = c.oid
        where c.relname = any($1::text[]) and c.relnamespace = to_regnamespace(current_schema())`, [tables]);
    const stats = rows.map((r) => ({ table: r.table, deadTuples: Number(r.dead), autovacuumEnabled: r.enabled }));
    const due = tablesToVacuum(server.on, stats, this.o.minDeadTuples ?? 5000);
    if (!this.warned && stats.some((s) => !(server.on && s.autovacuumEnabled))) {
      this.warned = true;
      this.o.log?.('warn', 'autovacuum does not look after the queue tables here; this service vacuums them itself', {
        tables: stats.filter((s) => !(server.on && s.autovacuumEnabled)).map((s) => s.table), autovacuum: server.on,
      });
    }
    for (const table of due) {
      await this.o.pool.query(`vacuum (skip_locked) "${table.replace(/"/g, '""')}"`);
      this.vacuums++;
    }
    return due;
  }
}
