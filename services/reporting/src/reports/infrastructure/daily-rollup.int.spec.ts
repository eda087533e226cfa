import { migrateEventStore, swapProjectionView } from '@switchboard/eventsourcing';
import { freshDatabase } from '@switchboard/testing';
import { Pool } from 'pg';
import { DEFAULT_KPI_PARAMETERS } from '../../kpis/domain/kpi';
import { callFactsProjection } from '../../projections/call-facts.projection';
import { markDirtyCalls } from '../../projections/call-facts.rollup';
import { CallQuery, queryCallAggregates } from './call-aggregate.query';
import { migrateAgentDirectory } from './agent-directory';
import { queryPeriodFromRollup } from './daily-rollup.query';

describe('daily rollup against the raw call-facts aggregation (real Postgres)', () => {
  const p = callFactsProjection(['unused']);
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let pool: Pool;
  const query = (unit: 'day' | 'week' | 'month', groups?: string[], timeZone = 'Asia/Shanghai'): CallQuery => ({
    start: new Date('2025-02-24T00:00:00+08:00'), end: new Date('2025-03-10T00:00:00+08:00'), groupBy: 'queue_id', groups,
    bucketing: { kind: 'period', unit }, timeZone, parameters: DEFAULT_KPI_PARAMETERS,
  });

  beforeAll(async () => {
    db = await freshDatabase();
    pool = new Pool({ connectionString: db.url, max: 3 });
    await migrateEventStore(pool);
    const client = await pool.connect();
    try {
      await p.init(client, p.table);
      await swapProjectionView(client, p as never);
    } finally {
      client.release();
    }
    // 3000 calls over 2 weeks across a month and week boundary, waits on both sides of every threshold.
    // Every 17th call timed out; every 19th answered call made a transfer.
    await pool.query(`insert into ${p.table} (call_id, queue_visit, tenant, site, queue_id, queued_at, offered_at, caller_hash, answered_at, agent_id,
        abandoned_at, timed_out_at, wait_s, ring_count, talk_s, hold_s, hold_count, longest_hold_s, acw_s, transfer_first, transfer_last, released_by,
        repeat_24h, followed_up_72h)
      select 'c' || g, 1 + g % 2, 'acme', case when g % 4 = 0 then 'w' else 's' end, 'q' || (g % 3), t, t, md5((g % 400)::text), case when g % 7 <> 0 and g % 17 <> 0 then t + interval '15 s' end,
        'a' || (g % 5), case when g % 7 = 0 then t + interval '30 s' end, case when g % 17 = 0 then t + interval '40 s' end, (g % 50) / 2.0, g % 4,
        100 + g % 13, g % 30, g % 3, (g % 5) * 40.5, g % 25, case when g % 19 = 0 then 1 end, case when g % 19 = 0 then 1 + g % 2 end,
        case when g % 9 = 0 then 'agent' else 'caller' end, g % 11 = 0, g % 13 = 0
      from generate_series(1, 3000) g, lateral (select timestamptz '2025-02-23 20:00+08' + g * interval '403 s' as t) x`);
    // Another tenant with the same agent ids over the same days: never in acme's agent or team figures.
    await pool.query(`insert into ${p.table} (call_id, queue_visit, tenant, site, queue_id, queued_at, offered_at, caller_hash, answered_at, agent_id,
        wait_s, ring_count, talk_s, hold_s, hold_count, longest_hold_s, acw_s, released_by, repeat_24h, followed_up_72h)
      select 'o' || g, 1, 'other', 's', 'q' || (g % 3), t, t, md5(g::text), t + interval '9 s', 'a' || (g % 5), 9, 1, 500, 0, 0, 0, 0, 'caller', false, false
      from generate_series(1, 300) g, lateral (select timestamptz '2025-02-24 09:00+08' + g * interval '4001 s' as t) x`);
    await migrateAgentDirectory(pool);
    // a4 is in no team; the other tenant's a0 is in north too (of its own tenant).
    await pool.query(`insert into reporting_agent_teams values ('acme', 'a0', 's', 'north'), ('acme', 'a1', 's', 'north'), ('acme', 'a2', 'w', 'south'),
      ('acme', 'a3', 'w', 'south'), ('other', 'a0', 's', 'north')`);
  });
  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  const both = async (q: CallQuery) => [await queryPeriodFromRollup(pool, q), await queryCallAggregates(pool, q)] as const;

  it.each(['day', 'week', 'month'] as const)('should give the raw figures per %s, materialised or not', async (unit) => {
    const [rolled, raw] = await both(query(unit));
    expect(raw.length).toBeGreaterThan(2);
    expect(raw.every((r) => r.calls.timedOut > 0 && r.calls.transfers > 0)).toBe(true);
    expect(rolled).toEqual(raw);
    const [again] = await both(query(unit)); // now from the stored days
    expect(again).toEqual(raw);
    const [some, rawSome] = await both(query(unit, ['q1']));
    expect(some).toEqual(rawSome);
  });

  it('should follow changes the projection marks, in every zone and threshold set it has materialised', async () => {
    const utc = { ...query('week', undefined, 'UTC'), start: new Date('2025-02-24T00:00:00Z'), end: new Date('2025-03-10T00:00:00Z') };
    await both(utc);
    await pool.query(`update ${p.table} set wait_s = 999, answered_at = null, abandoned_at = queued_at where call_id in ('c10', 'c2000')`);
    await markDirtyCalls(pool as never, p.table, ['c10', 'c2000']); // a Pool runs the one query like a client
    for (const q of [query('month'), utc, query('day')]) {
      const [rolled, raw] = await both(q);
      expect(rolled).toEqual(raw);
      expect(raw.some((r) => r.calls.longestWaitSeconds === 999)).toBe(true);
    }
  });

  const scoped = (groupBy: CallQuery['groupBy'], unit: 'day' | 'week' | 'month', siteTimeZones?: Record<string, string>, groups?: string[]): CallQuery =>
    ({ ...query(unit, groups), groupBy, tenant: 'acme', ...(siteTimeZones ? { siteTimeZones } : {}) });

  it.each(['day', 'week', 'month'] as const)('should give the raw figures per agent, team and site per %s, of one tenant', async (unit) => {
    // Site w is in Singapore (also UTC+8): both sites' midnights are the range's, so every report comes from the rollup.
    const sgp = { w: 'Asia/Singapore' };
    for (const q of [scoped('agent_id', unit), scoped('team', unit, sgp), scoped('site', unit, sgp), scoped('team', unit, sgp, ['south']), scoped('agent_id', unit, undefined, ['a4'])]) {
      const [rolled, raw] = await both(q);
      expect(rolled).toBeDefined();
      expect(raw.length).toBeGreaterThan(0);
      expect(rolled).toEqual(raw);
      const [again] = await both(q); // now from the stored days
      expect(again).toEqual(raw);
    }
    const [teams] = await both(scoped('team', unit, sgp));
    expect([...new Set(teams!.map((r) => r.group))]).toEqual(['north', 'south']);
    // north = a0 + a1 of acme: no talk of 500 s (the other tenant's a0 calls) in it.
    const [agents] = await both(scoped('agent_id', unit));
    const sum = (rows: typeof teams, pick: (g: string) => boolean) => rows!.filter((r) => pick(r.group)).reduce((n, r) => n + r.calls.answered, 0);
    expect(sum(teams, (g) => g === 'north')).toBe(sum(agents, (g) => g === 'a0' || g === 'a1'));
  });

  it('should follow late changes and directory moves in agent and team rollups', async () => {
    const q = scoped('team', 'week', { w: 'Asia/Singapore' });
    await both(q);
    await both(scoped('agent_id', 'month'));
    await pool.query(`update ${p.table} set agent_id = 'a4', answered_at = queued_at + interval '3 s' where call_id in ('c21', 'c1500', 'c2999')`);
    await markDirtyCalls(pool as never, p.table, ['c21', 'c1500', 'c2999']);
    await pool.query(`update reporting_agent_teams set team_id = 'south' where tenant = 'acme' and agent_id = 'a1'`); // no bin marked: teams are joined when read
    for (const each of [q, scoped('agent_id', 'month'), scoped('site', 'day')]) {
      const [rolled, raw] = await both(each);
      expect(rolled).toEqual(raw);
    }
    // north is a0 alone now; south a1–a3 (a1 still in site s's zone, also UTC+8).
    const [teams] = await both(q);
    const [agents] = await both(scoped('agent_id', 'week'));
    const answered = (rows: typeof teams, pick: (g: string) => boolean) => rows!.filter((r) => pick(r.group)).reduce((n, r) => n + r.calls.answered, 0);
    expect(answered(teams, (g) => g === 'north')).toBe(answered(agents, (g) => g === 'a0'));
    expect(answered(teams, (g) => g === 'south')).toBe(answered(agents, (g) => ['a1', 'a2', 'a3'].includes(g)));
  });

  it('should leave agent and team reports without a tenant, and zones whose midnights the range misses, to the raw query', async () => {
    expect(await queryPeriodFromRollup(pool, { ...scoped('agent_id', 'day'), tenant: undefined })).toBeUndefined();
    expect(await queryPeriodFromRollup(pool, { ...scoped('team', 'day'), tenant: undefined })).toBeUndefined();
    // Site w in UTC: the range starts at 16:00 UTC, not at w's midnight.
    expect(await queryPeriodFromRollup(pool, scoped('site', 'day', { w: 'UTC' }))).toBeUndefined();
  });

  it('should leave ranges not on local midnights to the raw query', async () => {
    expect(await queryPeriodFromRollup(pool, { ...query('day'), start: new Date('2025-02-24T01:00:00+08:00') })).toBeUndefined();
  });
});
