import { migrateEventStore, swapProjectionView } from '@switchboard/eventsourcing';
import { freshDatabase } from '@switchboard/testing';
import { Pool } from 'pg';
import { DEFAULT_KPI_PARAMETERS } from '../../kpis/domain/kpi';
import { callFactsProjection } from '../../projections/call-facts.projection';
import { callDay } from '../../test-support/call-day.fixture';
import { ReportReader } from '../application/report-reader';
import { migrateAgentDirectory } from './agent-directory';

const figuresOf = (row: { figures: { kpiId: string; value: number }[] } | undefined) =>
  Object.fromEntries((row?.figures ?? []).map((f) => [f.kpiId, f.value]));

/**
 * The small day (2025-03-14, 09:00–10:00 Asia/Shanghai, every call at site nanchang): E1 answers c1 (talk 300 s incl.
 * 30 s hold, ACW 20 s) and c2 (talk 100 s, hung up on the caller); E2 answers c6 (talk 120 s); c3 and c4 are
 * abandoned; c5 is still waiting. Agent directory: E1 in team north (site nanchang), E2 in team south (site lisbon).
 */
describe('period reports per team and per site, each in its site time zone (real Postgres)', () => {
  const day = callDay();
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let pool: Pool;
  let reader: ReportReader;
  const range = { start: new Date('2025-03-13T00:00:00Z'), end: new Date('2025-03-16T00:00:00Z') };

  beforeAll(async () => {
    db = await freshDatabase();
    pool = new Pool({ connectionString: db.url, max: 2 });
    await migrateEventStore(pool);
    await migrateAgentDirectory(pool);
    const p = callFactsProjection(['unused']);
    const client = await pool.connect();
    try {
      await p.init(client, p.table);
      await p.applyBatch!(client, [...day.first, ...day.late], p.table);
      await swapProjectionView(client, p as never);
    } finally {
      client.release();
    }
    await pool.query(`insert into reporting_agent_teams values ('acme', 'E1', 'nanchang', 'north'), ('acme', 'E2', 'lisbon', 'south'),
      ('other-tenant', 'E2', 'nanchang', 'north')`);
    reader = new ReportReader(pool, { timeZone: 'Asia/Shanghai', siteTimeZones: { lisbon: 'Europe/Lisbon' }, parameters: DEFAULT_KPI_PARAMETERS });
  });
  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  it('should give each team the visits its agents answered, its days cut in its site zone', async () => {
    const rows = await reader.scopedPeriodReport(range, 'day', 'team', { tenant: 'acme' });
    expect(rows.map((r) => [r.key, r.bucketStart.toISOString()])).toEqual([
      ['north', '2025-03-13T16:00:00.000Z'], // midnight in Asia/Shanghai
      ['south', '2025-03-14T00:00:00.000Z'], // midnight in Europe/Lisbon (UTC+0 in March)
    ]);
    // north: c1 + c2 answered by E1; aht (300 + 20 ACW + 100) / 2; c2's agent hung up (no transfer)
    expect(figuresOf(rows[0])).toMatchObject({ offered: 2, answered: 2, abandoned: 0, aht: 210, released_first_violations: 1 });
    // south: c6 answered by E2 (E2's row of another tenant does not put it in north)
    expect(figuresOf(rows[1])).toMatchObject({ offered: 1, answered: 1, aht: 120 });
  });

  it('should give each site every visit of the calls that came in there', async () => {
    const rows = await reader.scopedPeriodReport(range, 'month', 'site', { tenant: 'acme' });
    expect(rows.map((r) => [r.key, r.bucketStart.toISOString()])).toEqual([['nanchang', '2025-02-28T16:00:00.000Z']]);
    // c1, c2, c6 answered; c3, c4 abandoned; c5 still waiting is not offered yet
    expect(figuresOf(rows[0])).toMatchObject({ offered: 5, answered: 3, abandoned: 2 });
  });

  it('should keep only the asked teams', async () => {
    const rows = await reader.scopedPeriodReport(range, 'week', 'team', { tenant: 'acme', ids: ['south'] });
    expect(rows.map((r) => [r.key, r.bucketStart.toISOString(), figuresOf(r).answered])).toEqual([['south', '2025-03-10T00:00:00.000Z', 1]]);
  });
});
