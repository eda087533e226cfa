import { migrateEventStore, swapProjectionView } from '@switchboard/eventsourcing';
import { freshDatabase } from '@switchboard/testing';
import { Pool } from 'pg';
import { DEFAULT_KPI_PARAMETERS } from '../../kpis/domain/kpi';
import { callFactsProjection } from '../../projections/call-facts.projection';
import { markDirtyCalls } from '../../projections/call-facts.rollup';
import { migrateAgentDirectory } from '../infrastructure/agent-directory';
import { CallQuery, queryCallAggregates } from '../infrastructure/call-aggregate.query';
import { queryPeriodFromRollup } from '../infrastructure/daily-rollup.query';
import { RollupMaterialiser, RollupMaterialiserSettings } from './rollup-materialiser';

describe('rollup materialiser: the default fingerprints materialised ahead of the first report (real Postgres)', () => {
  const p = callFactsProjection(['unused']);
  const t = p.table;
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let pool: Pool;
  const logged: { msg: string; obj: Record<string, unknown> }[] = [];
  const logger = { info: (obj: object, msg: string) => void logged.push({ msg, obj: obj as Record<string, unknown> }), error: (obj: object, msg: string) => void logged.push({ msg, obj: obj as Record<string, unknown> }) };
  // Site w is in Singapore: its agent and site days are cut there too (the same midnights, so team and site reports come
  // from the rollup). Two days per transaction, so the catch-up logs progress.
  const settings: RollupMaterialiserSettings = { timeZone: 'Asia/Shanghai', siteTimeZones: { w: 'Asia/Singapore' }, parameters: DEFAULT_KPI_PARAMETERS,
    pollMs: 50, idlePollMaxMs: 200, chunkDays: 2 };
  const fingerprintsOf = async () => (await pool.query<{ fingerprint: string; days: number }>(`select fingerprint, count(*)::int as days
    from "${t}_rollup_days" group by fingerprint order by fingerprint`)).rows.map((r) => {
    const [, tenant, zone, , , , , , dimension = 'queue'] = JSON.parse(r.fingerprint) as unknown[];
    return { key: `${String(tenant)} ${String(zone)} ${String(dimension)}`, days: r.days };
  }).sort((a, b) => a.key.localeCompare(b.key));
  /** Every stored rollup row with its physical position: a rematerialised day gets new rows. */
  const stored = async () => (await pool.query(`select d.fingerprint, d.day_start, d.ctid::text as day_row,
      (select string_agg(r.ctid::text || r.grp, ',' order by r.grp) from "${t}_rollup" r where r.fingerprint = d.fingerprint and r.day_start = d.day_start) as rows
    from "${t}_rollup_days" d order by 1, 2`)).rows;
  const report = (groupBy: CallQuery['groupBy'], tenant: string): CallQuery => ({
    start: new Date('2025-03-01T00:00:00+08:00'), end: new Date('2025-03-10T00:00:00+08:00'), groupBy, bucketing: { kind: 'period', unit: 'day' },
    timeZone: settings.timeZone, siteTimeZones: settings.siteTimeZones, parameters: settings.parameters, tenant,
  });

  beforeAll(async () => {
    db = await freshDatabase();
    pool = new Pool({ connectionString: db.url, max: 4 });
    await migrateEventStore(pool);
    const client = await pool.connect();
    try {
      await p.init(client, p.table);
      await swapProjectionView(client, p as never);
    } finally {
      client.release();
    }
    // 9 Shanghai days (1–9 March) of acme calls at sites s and w, and other's calls on 3–5 March; loaded as a bulk
    // load would be, without marking any bin.
    await pool.query(`insert into ${t} (call_id, queue_visit, tenant, site, queue_id, queued_at, offered_at, caller_hash, answered_at, agent_id,
        abandoned_at, wait_s, ring_count, talk_s, hold_s, hold_count, longest_hold_s, acw_s, released_by, repeat_24h, followed_up_72h)
      select tenant || g, 1, tenant, case when g % 3 = 0 then 'w' else 's' end, 'q' || (g % 2), t, t, md5(g::text), case when g % 5 <> 0 then t + interval '10 s' end,
        'a' || (g % 4), case when g % 5 = 0 then t + interval '20 s' end, g % 40, g % 3, 60 + g % 7, g % 11, g % 2, g % 11, 10, 'caller', false, false
      from (select 'acme' as tenant, g, timestamptz '2025-03-01 00:10+08' + g * interval '1000 s' as t from generate_series(0, 770) g
        union all select 'other', g, timestamptz '2025-03-03 08:00+08' + g * interval '2000 s' from generate_series(0, 100) g) x`);
    await migrateAgentDirectory(pool);
    await pool.query(`insert into reporting_agent_teams values ('acme', 'a0', 's', 'north'), ('acme', 'a1', 's', 'north'), ('acme', 'a2', 'w', 'south')`);
  });
  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  it('should materialise every day of every default fingerprint, then find them current', async () => {
    const materialiser = new RollupMaterialiser(pool, settings, logger);
    const first = await materialiser.runOnce();
    expect(first.current).toBe(false);
    // Both tenants get every day from the first call's (of any tenant) to the last call's: 1–9 March.
    const { rows: [span] } = await pool.query<{ days: number }>(`select (max(queued_at) at time zone 'Asia/Shanghai')::date
      - (min(queued_at) at time zone 'Asia/Shanghai')::date + 1 as days from ${t}`);
    expect(span.days).toBe(9);
    const expected = ['acme', 'other'].flatMap((tenant) => [`${tenant} Asia/Shanghai queue`, ...['Asia/Shanghai', 'Asia/Singapore'].flatMap((zone) =>
      [`${tenant} ${zone} agent`, `${tenant} ${zone} site`])]).sort().map((key) => ({ key, days: 9 }));
    expect(await fingerprintsOf()).toEqual(expected);
    expect(first.days).toBe(expected.reduce((n, e) => n + e.days, 0));
    expect(logged.map((l) => l.msg)).toContain('rollup catch-up progress');
    expect(logged.find((l) => l.msg === 'rollup catch-up done')?.obj).toMatchObject({ daysDone: first.days, daysTotal: first.days });

    expect(await materialiser.runOnce()).toEqual({ days: 0, current: true });
    expect(materialiser.isCurrent()).toBe(true);
    expect(logged.filter((l) => l.msg === 'rollups current')).toHaveLength(1);
  });

  it('should let reports per queue, agent, team and site read those days without materialising any', async () => {
    const before = await stored();
    expect(before.length).toBeGreaterThan(0);
    for (const tenant of ['acme', 'other']) {
      for (const groupBy of ['queue_id', 'agent_id', 'team', 'site'] as const) {
        const q = report(groupBy, tenant);
        const rolled = await queryPeriodFromRollup(pool, q);
        expect(rolled).toEqual(await queryCallAggregates(pool, q));
        if (tenant === 'acme') expect(rolled!.length).toBeGreaterThan(0);
      }
    }
    expect(await stored()).toEqual(before);
    // A report under other thresholds is none of the defaults: it materialises its own days on demand.
    await queryPeriodFromRollup(pool, { ...report('queue_id', 'acme'), parameters: { ...DEFAULT_KPI_PARAMETERS, serviceLevelSeconds: 30 } });
    const own = (await stored()).filter((r) => !before.some((b) => b.fingerprint === r.fingerprint));
    expect(own).toHaveLength(9);
    await pool.query(`delete from "${t}_rollup_days" where fingerprint = $1`, [own[0].fingerprint]);
    await pool.query(`delete from "${t}_rollup" where fingerprint = $1`, [own[0].fingerprint]);
  });

  it('should re-materialise the day a late change dirtied, with the corrected figures, before anyone reads it', async () => {
    const materialiser = new RollupMaterialiser(pool, settings, logger);
    await materialiser.runOnce(); // a new process: nothing missing
    const before = await stored();
    await pool.query(`update ${t} set wait_s = 999, answered_at = null, abandoned_at = queued_at where call_id = 'acme300'`); // 4 March, Shanghai
    await markDirtyCalls(pool as never, t, ['acme300']); // a Pool runs the one query like a client
    const pass = await materialiser.runOnce();
    // The day in each zone and fingerprint of both tenants (a bin drops the day everywhere).
    expect(pass.days).toBe(10);
    expect((await pool.query(`select count(*)::int as n from "${t}_dirty"`)).rows[0].n).toBe(0);
    const { rows } = await pool.query<{ fingerprint: string; longest: number }>(`select r.fingerprint, max(r.longest_wait) as longest from "${t}_rollup" r
      where r.day_start = timestamptz '2025-03-04 00:00+08' group by 1`);
    const acmeQueue = rows.find((r) => JSON.parse(r.fingerprint)[1] === 'acme' && (JSON.parse(r.fingerprint) as unknown[]).length === 8);
    expect(acmeQueue?.longest).toBe(999);
    const after = await stored();
    const changed = after.filter((row, i) => JSON.stringify(row) !== JSON.stringify(before[i]));
    expect(after).toHaveLength(before.length);
    expect(changed).toHaveLength(10);
    const q = report('queue_id', 'acme');
    const rolled = await queryPeriodFromRollup(pool, q);
    expect(await stored()).toEqual(after);
    expect(rolled).toEqual(await queryCallAggregates(pool, q));
    expect(rolled!.some((r) => r.calls.longestWaitSeconds === 999)).toBe(true);
  });

  it('should re-materialise the days a reader dropped for other fingerprints, and pick up changes while running until stopped', async () => {
    const materialiser = new RollupMaterialiser(pool, settings, logger);
    await materialiser.runOnce();
    await pool.query(`update ${t} set talk_s = 1234 where call_id = 'acme500'`);
    await markDirtyCalls(pool as never, t, ['acme500']);
    await queryPeriodFromRollup(pool, report('queue_id', 'acme')); // consumes the bin, restores acme's queue days only
    const pass = await materialiser.runOnce();
    expect(pass.days).toBe(9);
    await pool.query(`update ${t} set talk_s = 4321 where call_id = 'acme600'`);
    await markDirtyCalls(pool as never, t, ['acme600']);
    materialiser.start();
    try {
      const deadline = Date.now() + 10_000;
      const dirtyLeft = async () => (await pool.query(`select count(*)::int as n from "${t}_dirty"`)).rows[0].n as number;
      while ((await dirtyLeft()) > 0 || !materialiser.isCurrent()) {
        if (Date.now() > deadline) throw new Error('the running materialiser did not catch up within 10 s');
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      await materialiser.stop();
    }
    const q = report('agent_id', 'acme');
    const before = await stored();
    expect(await queryPeriodFromRollup(pool, q)).toEqual(await queryCallAggregates(pool, q));
    expect(await stored()).toEqual(before);
  });
});
