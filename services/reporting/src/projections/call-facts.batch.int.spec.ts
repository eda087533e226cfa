import type { AnyEvent } from '@switchboard/contracts';
import { freshDatabase } from '@switchboard/testing';
import { Pool, PoolClient } from 'pg';
import { callDay } from '../test-support/call-day.fixture';
import { queueVisitDay } from '../test-support/queue-visits.fixture';
import { callFactsProjection } from './call-facts.projection';

/** The batch path must leave exactly the rows the per-event path leaves, whatever the chunking and order. */
describe('call-facts applyBatch against per-event apply (real Postgres)', () => {
  const p = callFactsProjection(['unused']);
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let pool: Pool;
  let n = 0;

  beforeAll(async () => {
    db = await freshDatabase();
    pool = new Pool({ connectionString: db.url, max: 2 });
  });
  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  async function project(events: readonly AnyEvent[], chunk: number | 'per-event'): Promise<unknown[]> {
    const table = `facts_${++n}`;
    const client: PoolClient = await pool.connect();
    try {
      await p.init(client, table);
      if (chunk === 'per-event') for (const e of events) await p.apply(client, e, table);
      else for (let i = 0; i < events.length; i += chunk) await p.applyBatch!(client, events.slice(i, i + chunk), table);
      const facts = (await client.query(`select * from "${table}" order by call_id, queue_visit`)).rows;
      const dirty = (await client.query(`select bin from "${table}_dirty" order by bin`)).rows;
      return [facts, dirty];
    } finally {
      client.release();
    }
  }

  const day = callDay();
  const unique = (events: AnyEvent[]) => [...new Map(events.map((e) => [e.id, e])).values()];
  const orders = { delivery: unique([...day.first, ...day.late]), reversed: unique([...day.first, ...day.late]).reverse() };

  it.each(Object.entries(orders))('should match per-event rows and dirty bins in %s order for every chunk size', async (_, events) => {
    const expected = await project(events, 'per-event');
    expect((expected[0] as unknown[]).length).toBeGreaterThan(3);
    for (const chunk of [1, 2, 3, 7, events.length]) expect(await project(events, chunk)).toEqual(expected);
  });

  it('should leave the same rows when every event is published again after the day (idempotent per event: no id dedupe needed)', async () => {
    const visits = queueVisitDay();
    for (const events of [orders.delivery, visits.inOrder]) {
      const once = await project(events, 'per-event');
      expect(await project([...events, ...events], 'per-event')).toEqual(once);
      for (const chunk of [1, 4, events.length]) expect(await project([...events, ...events], chunk)).toEqual(once);
      // copies interleaved with the originals, each copy after its original (Kafka keeps a key's order)
      expect(await project(events.flatMap((e, i) => (i % 2 ? [e, e] : [e])), 3)).toEqual(once);
    }
  });

  it('should give the same rows in either order (the merges are order-independent)', async () => {
    const [a] = await project(orders.delivery, 4);
    const [b] = await project(orders.reversed, 4);
    expect(b).toEqual(a);
  });
});
