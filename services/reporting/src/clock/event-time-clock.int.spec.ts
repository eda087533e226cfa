import { migrateEventStore, swapProjectionView } from '@switchboard/eventsourcing';
import { freshDatabase } from '@switchboard/testing';
import { Pool } from 'pg';
import { agentStateProjection } from '../projections/agent-state.projection';
import { callFactsProjection } from '../projections/call-facts.projection';
import { callDay } from '../test-support/call-day.fixture';
import { EventTimeClock, latestEventTime } from './event-time-clock';

describe('reporting clock over the read models (real Postgres)', () => {
  const day = callDay();
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let pool: Pool;

  beforeAll(async () => {
    db = await freshDatabase();
    pool = new Pool({ connectionString: db.url, max: 2 });
    await migrateEventStore(pool);
  });
  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  it('should follow the latest event time of the read models, not the wall clock', async () => {
    expect(await latestEventTime(pool)).toBeNull(); // no read model yet
    const client = await pool.connect();
    try {
      for (const p of [callFactsProjection(['unused']), agentStateProjection(['unused'])]) {
        await p.init(client, p.table);
        await swapProjectionView(client, p as never);
      }
      const calls = callFactsProjection(['unused']);
      const agents = agentStateProjection(['unused']);
      await calls.applyBatch!(client, day.first, calls.table);
      for (const e of day.agentEvents) await agents.apply(client, e, agents.table);
    } finally {
      client.release();
    }
    // Newest queue entry: c6 at 09:50:00 (the agents' latest change is 09:30:15)
    expect(await latestEventTime(pool)).toBe(day.at('09:50:00').getTime());

    let wall = Date.parse('2026-11-22T20:00:00Z');
    const clock = new EventTimeClock(() => latestEventTime(pool), () => wall);
    await clock.refresh();
    expect(clock.now()).toEqual(day.at('09:50:00'));
    wall += 1500;
    expect(clock.now()).toEqual(day.at('09:50:01.5')); // speed 1 until measured
    expect(clock.rate()).toBe(1);
  });
});
