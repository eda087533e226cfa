import { migrateEventStore, swapProjectionView } from '@switchboard/eventsourcing';
import type { AnyEvent } from '@switchboard/contracts';
import { freshDatabase } from '@switchboard/testing';
import { Pool } from 'pg';
import { agentStateProjection } from '../../projections/agent-state.projection';
import { callFactsProjection } from '../../projections/call-facts.projection';
import { agentShift, inTenant } from '../../test-support/agent-shift.fixture';
import { DEFAULT_KPI_PARAMETERS } from '../../kpis/domain/kpi';
import { ReportReader } from '../application/report-reader';
import { queryAgentTime, type AgentTimeQuery } from './agent-time.query';

/** Agent ids are only unique within a tenant: E1 of acme and E1 of globex are two people, never one row. */
describe('agent time per tenant (real Postgres)', () => {
  const dbs: Awaited<ReturnType<typeof freshDatabase>>[] = [];
  const pools: Pool[] = [];
  let mixed: Pool;
  let acmeAlone: Pool;
  const acme = agentShift(3);
  // globex's E1 and E2 change state fewer times per session: their time differs from acme's E1 and E2.
  const globex = inTenant(agentShift(2, 5), 'globex');
  const q = (tenant: string): AgentTimeQuery => ({
    start: new Date('2025-03-14T00:00:00Z'), end: new Date('2025-03-15T00:00:00Z'), timeZone: 'Asia/Shanghai', now: new Date('2025-03-15T00:00:00Z'), tenant,
  });
  const total = (t: { readySeconds: number; onCallSeconds: number; wrapUpSeconds: number; notReadySeconds: Record<string, number> }) =>
    t.readySeconds + t.onCallSeconds + t.wrapUpSeconds + Object.values(t.notReadySeconds).reduce((a, b) => a + b, 0);

  async function storeOf(events: readonly AnyEvent[]): Promise<Pool> {
    const db = await freshDatabase();
    dbs.push(db);
    const pool = new Pool({ connectionString: db.url, max: 2 });
    pools.push(pool);
    await migrateEventStore(pool);
    const p = agentStateProjection(['unused']);
    const facts = callFactsProjection(['unused']); // no calls: agent reports read it too
    const client = await pool.connect();
    try {
      await p.init(client, p.table);
      await p.applyBatch!(client, [...events].sort((x, y) => x.time.localeCompare(y.time)), p.table);
      await swapProjectionView(client, p as never);
      await facts.init(client, facts.table);
      await swapProjectionView(client, facts as never);
    } finally {
      client.release();
    }
    return pool;
  }

  beforeAll(async () => {
    mixed = await storeOf([...acme, ...globex]);
    acmeAlone = await storeOf(acme);
  });
  afterAll(async () => {
    for (const pool of pools) await pool.end();
    for (const db of dbs) await db.drop();
  });

  it("should give each tenant's agents their own time, as if that tenant were alone", async () => {
    const acmeRows = await queryAgentTime(mixed, q('acme'));
    const globexRows = await queryAgentTime(mixed, q('globex'));
    expect(acmeRows.map((r) => r.agentId).sort()).toEqual(['E1', 'E2', 'E3']);
    expect(globexRows.map((r) => r.agentId).sort()).toEqual(['E1', 'E2']);
    expect(acmeRows).toEqual(await queryAgentTime(acmeAlone, q('acme')));
    const e1 = (rows: typeof acmeRows) => total(rows.find((r) => r.agentId === 'E1')!.time);
    expect(e1(acmeRows)).toBeGreaterThan(0);
    expect(e1(globexRows)).toBeGreaterThan(0);
    expect(e1(acmeRows)).not.toBe(e1(globexRows));
  });

  it("should give the agent report of one tenant of a mixed store that tenant's agents only", async () => {
    const range = { start: q('acme').start, end: q('acme').end };
    const settings = { timeZone: 'Asia/Shanghai', parameters: DEFAULT_KPI_PARAMETERS, now: () => q('acme').now };
    const mixedAcme = await new ReportReader(mixed, settings).agentReport(range, { tenant: 'acme' });
    expect(mixedAcme).toEqual(await new ReportReader(acmeAlone, settings).agentReport(range, { tenant: 'acme' }));
    expect(mixedAcme.map((r) => r.key)).toEqual(['E1', 'E2', 'E3']);
    await expect(new ReportReader(mixed, settings).agentReport(range, { tenant: '' })).rejects.toThrow(/tenant: required/);
  });

  it('should refuse a query without a tenant, naming the field', async () => {
    await expect(queryAgentTime(mixed, { ...q('acme'), tenant: undefined as unknown as string })).rejects.toThrow(/tenant/);
    await expect(queryAgentTime(mixed, q(''))).rejects.toThrow(/tenant: required/);
  });
});
