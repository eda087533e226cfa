import { AgentLoggedIn, AgentQueueMembershipChanged, type AnyEvent } from '@switchboard/contracts';
import { freshDatabase } from '@switchboard/testing';
import { Pool, PoolClient } from 'pg';
import { agentShift, inTenant, shuffled } from '../test-support/agent-shift.fixture';
import { agentStateProjection, segmentsTable } from './agent-state.projection';

/** The batch path must leave exactly the rows and segments the per-event path leaves, whatever the chunking and order. */
describe('agent-state applyBatch against per-event apply (real Postgres)', () => {
  const p = agentStateProjection(['unused']);
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

  async function project(events: readonly AnyEvent[], chunk: number | 'per-event'): Promise<{ agents: unknown[]; segments: unknown[] }> {
    const table = `agents_${++n}`;
    const client: PoolClient = await pool.connect();
    try {
      await p.init(client, table);
      if (chunk === 'per-event') for (const e of events) await p.apply(client, e, table);
      else for (let i = 0; i < events.length; i += chunk) await p.applyBatch!(client, events.slice(i, i + chunk), table);
      const agents = (await client.query(`select * from "${table}" order by tenant, agent_id`)).rows;
      const segments = (await client.query(`select * from "${segmentsTable(table)}" order by event_id`)).rows;
      return { agents, segments };
    } finally {
      client.release();
    }
  }

  // Two tenants with the same agent ids E1..E3, their days interleaved; globex's agents change state differently.
  const shift = [...agentShift(5), ...inTenant(agentShift(3, 5), 'globex')].sort((x, y) => x.time.localeCompare(y.time));
  // Late delivery: each agent's events out of order, so the `as_of` / `queues_as_of` rules decide what stays.
  const orders = { delivery: shift, shuffled: shuffled(shift, 7), reversed: [...shift].reverse() };

  it.each(Object.entries(orders))('should match per-event rows and segments in %s order for every chunk size', async (_, events) => {
    const expected = await project(events, 'per-event');
    expect(expected.agents).toHaveLength(8);
    expect(new Set((expected.segments as { tenant: string }[]).map((s) => s.tenant))).toEqual(new Set(['acme', 'globex']));
    expect(expected.segments.length).toBeGreaterThan(20);
    for (const chunk of [1, 2, 5, 17, events.length]) expect(await project(events, chunk)).toEqual(expected);
  });

  it('should end in each agent\'s last state whatever the delivery order, with late membership changes not lost', async () => {
    const inOrder = await project(orders.delivery, orders.delivery.length);
    expect(inOrder.agents).toEqual(expect.arrayContaining([expect.objectContaining({ agent_id: 'E1', logged_in: false, state: null })]));
    const late = await project(orders.shuffled, 9);
    // Log-outs are each agent's last event, so every shuffle ends logged out with the last membership change's queues.
    const queues = (rows: unknown[]) => (rows as { agent_id: string; queue_ids: string[]; logged_in: boolean }[]).map((r) => [r.agent_id, r.queue_ids, r.logged_in]);
    expect(queues(late.agents)).toEqual(queues(inOrder.agents));
  });

  it("should keep each tenant's row and segments of a shared agent id as if that tenant were alone", async () => {
    const both = await project(orders.shuffled, 13);
    const alone = (tenant: string) => project(orders.shuffled.filter((e) => e.tenant === tenant), 'per-event');
    const [acmeAlone, globexAlone] = [await alone('acme'), await alone('globex')];
    const of = (rows: unknown[], tenant: string) => (rows as { tenant: string }[]).filter((r) => r.tenant === tenant);
    expect(of(both.agents, 'acme')).toEqual(acmeAlone.agents);
    expect(of(both.segments, 'acme')).toEqual(acmeAlone.segments);
    expect(of(both.agents, 'globex')).toEqual(globexAlone.agents);
    expect(of(both.segments, 'globex')).toEqual(globexAlone.segments);
  });

  it('should show an agent logged in when a later membership change arrives before the log-in, in both paths', async () => {
    const e1 = agentShift(1);
    const [login] = e1.filter((e) => e.type === AgentLoggedIn.type);
    const membership = e1.find((e) => e.type === AgentQueueMembershipChanged.type)!;
    const expected = await project([membership, login], 'per-event');
    expect(expected.agents).toEqual([expect.objectContaining({ agent_id: 'E1', logged_in: true, since: new Date(login.time), as_of: new Date(login.time),
      queue_ids: (membership.data as { queueIds: string[] }).queueIds, queues_as_of: new Date(membership.time) })]);
    expect(await project([membership, login], 2)).toEqual(expected);
  });

  it('should leave the same rows when events are delivered again after the shift (the runner dedupes; the SQL is idempotent too)', async () => {
    const once = await project(orders.delivery, 'per-event');
    expect(await project([...orders.delivery, ...orders.shuffled], 11)).toEqual(once);
  });
});
