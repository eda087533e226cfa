import { Pool } from 'pg';
import { Decider, DomainRejection } from '@switchboard/decider';
import { freshDatabase } from '@switchboard/testing';
import { handleCommand, migrateEventStore, PostgresEventStore, StreamVersionConflict } from './index';

type Cmd = { type: 'Open'; id: string } | { type: 'Deposit'; amount: number };
type Evt = { type: 'Opened'; id: string } | { type: 'Deposited'; amount: number };
type State = { status: 'none' } | { status: 'open'; balance: number };
const account: Decider<Cmd, Evt, State> = {
  initialState: () => ({ status: 'none' }),
  evolve: (s, e) => (e.type === 'Opened' ? { status: 'open', balance: 0 } : s.status === 'open' ? { ...s, balance: s.balance + e.amount } : s),
  decide: (c, s) => {
    if (c.type === 'Open') return s.status === 'none' ? { type: 'Opened', id: c.id } : [];
    if (s.status !== 'open') throw new DomainRejection('ACCOUNT.NOT_OPEN', 'open the account first');
    return { type: 'Deposited', amount: c.amount };
  },
};

describe('PostgresEventStore', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let pool: Pool;
  let store: PostgresEventStore;

  beforeAll(async () => {
    db = await freshDatabase();
    pool = new Pool({ connectionString: db.url });
    await migrateEventStore(pool);
    await migrateEventStore(pool); // idempotent
    store = new PostgresEventStore(pool);
  });
  afterAll(async () => {
    await pool.end();
    await db.drop();
  });

  it('appends and reads a stream in version order', async () => {
    await store.appendToStream('acc-1', [{ type: 'Opened', data: { id: 'acc-1' } }], { expectedVersion: 'no_stream' });
    const r = await store.appendToStream('acc-1', [{ type: 'Deposited', data: { amount: 5 } }, { type: 'Deposited', data: { amount: 7 } }], { expectedVersion: 1 });
    expect(r.nextExpectedVersion).toBe(3);
    const { events, version } = await store.readStream('acc-1');
    expect(version).toBe(3);
    expect(events.map((e) => [e.streamVersion, e.type, e.data])).toEqual([[1, 'Opened', { id: 'acc-1' }], [2, 'Deposited', { amount: 5 }], [3, 'Deposited', { amount: 7 }]]);
  });

  it('rejects an append with a stale expected version with the typed error', async () => {
    await store.appendToStream('acc-2', [{ type: 'Opened', data: {} }], { expectedVersion: 'no_stream' });
    await expect(store.appendToStream('acc-2', [{ type: 'Deposited', data: {} }], { expectedVersion: 0 }))
      .rejects.toEqual(expect.objectContaining({ name: 'StreamVersionConflict', code: 'EVENT_STORE.VERSION_CONFLICT', kind: 'conflict', expected: 0, actual: 1 }));
    await expect(store.appendToStream('acc-2', [{ type: 'Opened', data: {} }], { expectedVersion: 'no_stream' })).rejects.toBeInstanceOf(StreamVersionConflict);
  });

  it('lets exactly one of two concurrent appends at the same version win', async () => {
    await store.appendToStream('acc-3', [{ type: 'Opened', data: {} }], { expectedVersion: 'no_stream' });
    const results = await Promise.allSettled(Array.from({ length: 5 }, (_, i) =>
      store.appendToStream('acc-3', [{ type: 'Deposited', data: { amount: i } }], { expectedVersion: 1 })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((x): x is PromiseRejectedResult => x.status === 'rejected')) expect(r.reason).toBeInstanceOf(StreamVersionConflict);
    expect((await store.readStream('acc-3')).version).toBe(2);
  });

  it('reports the typed error when a concurrent writer commits between our version check and our insert', async () => {
    await store.appendToStream('acc-7', [{ type: 'Opened', data: {} }], { expectedVersion: 'no_stream' });
    const [first, second] = [await pool.connect(), await pool.connect()];
    try {
      await first.query('begin');
      await second.query('begin');
      await store.appendWithin(first, 'acc-7', [{ type: 'Deposited', data: { amount: 1 } }], { expectedVersion: 1 });
      const losing = store.appendWithin(second, 'acc-7', [{ type: 'Deposited', data: { amount: 2 } }], { expectedVersion: 1 });
      const settled = losing.catch((e: unknown) => e); // it blocks on the unique index until `first` ends
      await new Promise((r) => setTimeout(r, 200));
      await first.query('commit');
      expect(await settled).toEqual(expect.objectContaining({ name: 'StreamVersionConflict', expected: 1, actual: 2 }));
    } finally {
      await second.query('rollback');
      first.release();
      second.release();
    }
  });

  it('reads all events after a global position', async () => {
    const before = await store.readAll(0n, 100000);
    const last = before[before.length - 1].globalPosition;
    await store.appendToStream('acc-4', [{ type: 'Opened', data: {} }], { expectedVersion: 'any' });
    const after = await store.readAll(last);
    expect(after.map((e) => e.streamId)).toEqual(['acc-4']);
  });

  it('handles a command through a decider and writes its outbox messages in the same transaction', async () => {
    const toOutbox = (events: readonly Evt[]) => events.map((e) => ({ topic: 'probe-topic', key: 'acc-5', value: JSON.stringify(e) }));
    await handleCommand(pool, store, 'acc-5', account, { type: 'Open', id: 'acc-5' }, { toOutbox });
    const res = await handleCommand(pool, store, 'acc-5', account, { type: 'Deposit', amount: 10 }, { toOutbox });
    expect(res.state).toEqual({ status: 'open', balance: 10 });
    const { rows } = await pool.query(`select value from es_outbox where message_key = 'acc-5' order by position`);
    expect(rows.map((r) => JSON.parse(r.value.toString()))).toEqual([{ type: 'Opened', id: 'acc-5' }, { type: 'Deposited', amount: 10 }]);
  });

  it('writes neither events nor outbox rows when the decider rejects', async () => {
    await expect(handleCommand(pool, store, 'acc-6', account, { type: 'Deposit', amount: 1 }, { toOutbox: () => [{ topic: 't', key: 'acc-6', value: 'x' }] }))
      .rejects.toEqual(expect.objectContaining({ code: 'ACCOUNT.NOT_OPEN' }));
    expect((await store.readStream('acc-6')).version).toBe(0);
    expect((await pool.query(`select 1 from es_outbox where message_key = 'acc-6'`)).rowCount).toBe(0);
  });
});
