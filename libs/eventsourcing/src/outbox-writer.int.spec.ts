import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import { freshDatabase } from '@switchboard/testing';
import { inTransaction, migrateEventStore, OUTBOX_WRITE_LOCK, outboxBatchCtes, writeOutbox, writeOutboxBatch, type OutboxMessage } from './index';

describe('writeOutboxBatch', () => {
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
  beforeEach(() => pool.query('delete from es_outbox'));

  const rows = async () => (await pool.query<{ topic: string; message_key: string; value: Buffer; headers: Record<string, string> }>(
    'select topic, message_key, value, headers from es_outbox order by position')).rows;

  it('stores the same rows in the same order as writeOutbox: binary values of any length, strings, headers or none', async () => {
    const messages: OutboxMessage[] = [
      { topic: 't1', key: 'k1', value: randomBytes(3000), headers: { 'ce_id': 'a', 'content-type': 'text/x "quoted" \\ \u00e9' } },
      { topic: 't2', key: 'k "2"', value: 'plain text \u00e9 \u0000-free' },
      { topic: 't1', key: 'k1', value: Buffer.alloc(0), headers: {} },
      { topic: 't1', key: 'k3', value: Buffer.from([0, 255, 92, 34, 123]) },
      ...Array.from({ length: 500 }, (_, i) => ({ topic: `t${i % 3}`, key: `k${i % 7}`, value: randomBytes(i), headers: { seq: String(i) } })),
    ];
    await inTransaction(pool, (c) => writeOutbox(c, messages));
    const expected = await rows();
    await pool.query('delete from es_outbox');
    await inTransaction(pool, (c) => writeOutboxBatch(c, messages));
    expect(await rows()).toEqual(expected);
    expect(expected).toHaveLength(504);
    expect(expected[0].value.length).toBe(3000);
  });

  it('writes nothing for an empty batch, and nothing when the transaction rolls back', async () => {
    await inTransaction(pool, (c) => writeOutboxBatch(c, []));
    await expect(inTransaction(pool, async (c) => {
      await writeOutboxBatch(c, [{ topic: 't', key: 'k', value: 'v' }]);
      throw new Error('rolled back');
    })).rejects.toThrow('rolled back');
    expect(await rows()).toEqual([]);
  });

  it('announces the commit to the relay (es_outbox notification) only when it commits', async () => {
    const listener = await pool.connect();
    const seen: string[] = [];
    try {
      listener.on('notification', (n) => seen.push(n.channel));
      await listener.query('listen es_outbox');
      const tx = await pool.connect();
      try {
        await tx.query('begin');
        await writeOutboxBatch(tx, [{ topic: 't', key: 'k', value: 'v' }]);
        await new Promise((r) => setTimeout(r, 100));
        expect(seen).toEqual([]);
        await tx.query('commit');
      } finally {
        tx.release();
      }
      for (let i = 0; i < 50 && seen.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(seen).toEqual(['es_outbox']);
    } finally {
      await listener.query('unlisten es_outbox');
      listener.release();
    }
  });
  it('as one autocommit statement (outboxBatchCtes): draws no position while the relay holds the writers\' lock, then commits the rows in order', async () => {
    const sequence = async () => (await pool.query<{ drawn: string }>(`select case when is_called then last_value else 0 end::text as drawn from es_outbox_position_seq`)).rows[0].drawn;
    const before = await sequence();
    const relay = await pool.connect();
    try {
      await relay.query('begin');
      await relay.query('select pg_advisory_xact_lock($1)', [OUTBOX_WRITE_LOCK]);
      const outbox = outboxBatchCtes([{ topic: 't', key: 'a', value: 'first' }, { topic: 't', key: 'b', value: 'second' }], 1)!;
      const write = pool.query(`with ${outbox.sql} select 1`, outbox.values);
      await new Promise((r) => setTimeout(r, 300));
      // A position drawn before the lock could be committed after a relay read that saw a later one: skipped forever.
      expect(await sequence()).toBe(before);
      expect(await rows()).toEqual([]);
      await relay.query('commit');
      await write;
    } finally {
      relay.release();
    }
    expect((await rows()).map((r) => [r.message_key, r.value.toString()])).toEqual([['a', 'first'], ['b', 'second']]);
    expect(outboxBatchCtes([], 1)).toBeNull();
  });
});
