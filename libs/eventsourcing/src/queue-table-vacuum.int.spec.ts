import { Pool } from 'pg';
import { freshDatabase } from '@switchboard/testing';
import { migrateEventStore, QueueTableVacuum } from './index';

describe('QueueTableVacuum against Postgres', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let pool: Pool;

  beforeAll(async () => {
    db = await freshDatabase();
    pool = new Pool({ connectionString: db.url });
    await migrateEventStore(pool);
  });
  afterAll(async () => {
    await pool.end();
    await db.drop();
  });

  const stats = async () => (await pool.query<{ dead: string; vacuums: string }>(
    `select n_dead_tup as dead, vacuum_count + autovacuum_count as vacuums from pg_stat_user_tables where relname = 'es_outbox'`)).rows[0];
  /** Statistics reach the shared counters when a backend goes idle, at most once a second. */
  const until = async (what: string, ok: () => Promise<boolean>) => {
    const deadline = Date.now() + 10_000;
    while (!(await ok())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  it('should give the queue tables their own autovacuum threshold', async () => {
    const { rows } = await pool.query<{ relname: string; reloptions: string[] }>(
      `select relname, reloptions from pg_class where relname in ('es_outbox', 'es_outbox_checkpoints', 'es_consumer_offsets') order by relname`);
    expect(rows.map((r) => r.relname)).toEqual(['es_consumer_offsets', 'es_outbox', 'es_outbox_checkpoints']);
    for (const r of rows) expect(r.reloptions).toEqual(expect.arrayContaining(['autovacuum_vacuum_scale_factor=0', 'autovacuum_vacuum_threshold=5000']));
  });

  it('should vacuum the outbox once its published rows are dead, where autovacuum does not, and not before', async () => {
    // This table's own setting stands for a server run with autovacuum off (the test must not change the server's).
    await pool.query('alter table es_outbox set (autovacuum_enabled = false)');
    const logged: string[] = [];
    const vacuum = new QueueTableVacuum({ pool, minDeadTuples: 2000, log: (_, message) => logged.push(message) });
    await pool.query(`insert into es_outbox (topic, message_key, value) select 't', 'k', '\\x00'::bytea from generate_series(1, 1500)`);
    await pool.query('delete from es_outbox');
    await until('1,500 dead rows counted', async () => Number((await stats()).dead) >= 1500);
    expect(await vacuum.runOnce()).toEqual([]);

    await pool.query(`insert into es_outbox (topic, message_key, value) select 't', 'k', '\\x00'::bytea from generate_series(1, 1500)`);
    await pool.query('delete from es_outbox');
    await until('3,000 dead rows counted', async () => Number((await stats()).dead) >= 3000);
    const before = Number((await stats()).vacuums);
    expect(await vacuum.runOnce()).toEqual(['es_outbox']);
    await until('the vacuum counted', async () => Number((await stats()).vacuums) === before + 1);
    expect(Number((await stats()).dead)).toBe(0);
    expect(vacuum.vacuums).toBe(1);
    expect(logged).toEqual(['autovacuum does not look after the queue tables here; this service vacuums them itself']);
  });
});
