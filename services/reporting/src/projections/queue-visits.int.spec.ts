import type { AnyEvent } from '@switchboard/contracts';
import { migrateEventStore, swapProjectionView } from '@switchboard/eventsourcing';
import { freshDatabase } from '@switchboard/testing';
import { Pool } from 'pg';
import { DEFAULT_KPI_PARAMETERS } from '../kpis/domain/kpi';
import { ReportReader } from '../reports/application/report-reader';
import { queueVisitDay } from '../test-support/queue-visits.fixture';
import { agentStateProjection } from './agent-state.projection';
import { callFactsProjection } from './call-facts.projection';

const figuresOf = (row: { figures: { kpiId: string; value: number }[] } | undefined) =>
  Object.fromEntries((row?.figures ?? []).map((f) => [f.kpiId, f.value]));

/** Calls interleaved, each call's own events in order (as Kafka keeps them per key). */
const interleaved = (calls: AnyEvent[][]): AnyEvent[] => {
  const queues = calls.map((c) => [...c]);
  const out: AnyEvent[] = [];
  for (let i = 0; queues.some((q) => q.length); i++) {
    const q = queues[i % queues.length];
    if (q.length) out.push(q.shift()!);
  }
  return out;
};

describe('call facts per queue visit, with queue timeouts (real Postgres)', () => {
  const p = callFactsProjection(['unused']);
  const day = queueVisitDay();
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let pool: Pool;
  let n = 0;
  let reader: ReportReader;

  async function project(events: readonly AnyEvent[], chunk: number | 'per-event', table = `facts_${++n}`): Promise<unknown[]> {
    const client = await pool.connect();
    try {
      await p.init(client, table);
      if (chunk === 'per-event') for (const e of events) await p.apply(client, e, table);
      else for (let i = 0; i < events.length; i += chunk) await p.applyBatch!(client, events.slice(i, i + chunk), table);
      return (await client.query(`select * from "${table}" order by call_id, queue_visit`)).rows;
    } finally {
      client.release();
    }
  }

  beforeAll(async () => {
    db = await freshDatabase();
    pool = new Pool({ connectionString: db.url, max: 3 });
    await migrateEventStore(pool);
    await project(day.inOrder, 4, p.table);
    const client = await pool.connect();
    try {
      await swapProjectionView(client, p as never);
      const agents = agentStateProjection(['unused']);
      await agents.init(client, agents.table);
      await swapProjectionView(client, agents as never);
    } finally {
      client.release();
    }
    reader = new ReportReader(pool, { timeZone: 'Asia/Shanghai', parameters: DEFAULT_KPI_PARAMETERS });
  });
  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  it('should keep one row per visit, each with its own wait, agent, talk, hold, wrap-up and transfers', async () => {
    const rows = (await pool.query(`select call_id, queue_visit, queue_id, agent_id, wait_s, talk_s, hold_s, acw_s, transfer_first, transfer_last,
      caller_hash is not null as has_caller, timed_out_at is not null as timed_out, abandoned_at is not null as abandoned
      from call_facts where call_id = 'nc1-c7' order by queue_visit`)).rows;
    expect(rows).toEqual([
      // E1's wrap-up ended at 10:01:40, after visit 2 entered: it still belongs to E1's visit.
      { call_id: 'nc1-c7', queue_visit: 1, queue_id: 'billing', agent_id: 'E1', wait_s: 12, talk_s: 60, hold_s: 0, acw_s: 15,
        transfer_first: 1, transfer_last: 1, has_caller: true, timed_out: false, abandoned: false },
      { call_id: 'nc1-c7', queue_visit: 2, queue_id: 'billing', agent_id: 'E2', wait_s: 30, talk_s: 90, hold_s: 10, acw_s: 20,
        transfer_first: null, transfer_last: null, has_caller: false, timed_out: false, abandoned: false },
    ]);
  });

  it('should give the same rows per event, per chunk of any size and with calls interleaved', async () => {
    const expected = await project(day.inOrder, 'per-event');
    expect(expected).toHaveLength(5);
    for (const chunk of [1, 3, day.inOrder.length]) expect(await project(day.inOrder, chunk)).toEqual(expected);
    expect(await project(interleaved(day.calls), 5)).toEqual(expected);
  });

  it('should count visits and timeouts per queue as the reference does', async () => {
    const rows = await reader.intervalReport({ start: day.at('10:00:00'), end: day.at('10:30:00') }, 1800);
    expect(rows.map((r) => r.key)).toEqual(['billing', 'sales']);
    // billing: c7 visit 1 (answered, 12 s), c7 visit 2 (answered, 30 s), t1 (timed out, 18 s), a1 (abandoned, 8 s)
    expect(figuresOf(rows[0])).toMatchObject({
      offered: 4, answered: 2, abandoned: 1, timed_out: 1, short_abandoned: 0,
      answer_rate: 50, // 2 / 4
      abandon_rate: 25, // 1 / 4: the timeout is in offered only
      service_level_asterisk: 50, // 12 s ≤ 20 of 2 answered
      service_level_connect: 75, // (1 answered + 1 abandoned + 1 timed out) within 20 s / 4
      longest_wait: 30,
      aht: 92.5, // (60 + 15 ACW + 90 + 20 ACW) / 2
      average_hold: 5, // 10 / 2
      transfers_per_call: 0.5, // visit 1's transfer / 2
      released_first_violations: 0, // E1's release at 10:01:12 is the hand-over of the blind transfer; E2's caller hung up
    });
    expect(figuresOf(rows[0]).service_level_asterisk_sl2).toBeCloseTo(200 / 3, 9); // (1 + 1) / (2 answered + 1 abandoned)
    // sales: t2 timed out after 300 s
    expect(figuresOf(rows[1])).toMatchObject({ offered: 1, answered: 0, abandoned: 0, timed_out: 1, answer_rate: 0, abandon_rate: 0,
      service_level_connect: 0, longest_wait: 300 });
  });

  it('should give each answering agent their own visit', async () => {
    const rows = await reader.agentReport({ start: day.at('10:00:00'), end: day.at('10:30:00') }, { tenant: 'acme' });
    expect(rows.map((r) => [r.key, figuresOf(r).answered, figuresOf(r).aht])).toEqual([['E1', 1, 75], ['E2', 1, 110]]);
  });

  it('should roll the visits up per day like the raw figures', async () => {
    const [dayRow] = await reader.periodReport({ start: day.at('00:00:00'), end: new Date(day.at('00:00:00').getTime() + 86_400_000) }, 'day', ['billing']);
    expect(figuresOf(dayRow)).toMatchObject({ offered: 4, answered: 2, abandoned: 1, timed_out: 1, service_level_connect: 75, released_first_violations: 0 });
  });

  it('should recompute a range under both service-level definitions side by side', async () => {
    const rows = await reader.recompute({ start: day.at('10:00:00'), end: day.at('10:30:00') }, ['service_level_connect', 'offered']);
    const versions = (queue: string, kpi: string) =>
      rows.find((r) => r.key === queue)!.kpis.find((k) => k.kpiId === kpi)!.versions.map((v) => [v.version, v.value]);
    // billing: within 20 s: v1 answered (12 s), a1 abandoned (8 s), t1 timed out (18 s) of 4 offered
    expect(versions('billing', 'service_level_connect')).toEqual([[1, 50], [2, 75]]); // v1 (1 + 1) / 4, v2 (1 + 1 + 1) / 4
    expect(versions('billing', 'offered')).toEqual([[1, 4]]);
    // v1 counted E1's hand-over at the blind transfer as an agent hanging up first
    const released = await reader.recompute({ start: day.at('10:00:00'), end: day.at('10:30:00') }, ['released_first_violations'], 'day');
    expect(released.find((r) => r.key === 'billing')!.kpis[0].versions.map((v) => [v.version, v.value])).toEqual([[1, 1], [2, 0]]);
    expect(versions('sales', 'service_level_connect')).toEqual([[1, 0], [2, 0]]); // t2 timed out after 300 s
  });

  it('should show what the real-time view showed at an earlier instant, from event times', async () => {
    const at = async (hhmmss: string) => Object.fromEntries((await reader.realtimeAt(day.at(hhmmss))).queues.map((q) => [q.queueId,
      { waiting: q.waitingCalls, longest: q.longestWaitSeconds, ...Object.fromEntries(q.today.map((f) => [f.kpiId, f.value])) }]));
    // 10:02:00: visit 1 released (talk 60 + ACW 15), visit 2 answered at 10:01:50, not released yet: (75 + 0) / 2
    expect((await at('10:02:00')).billing).toMatchObject({ waiting: 0, offered: 2, answered: 2, aht: 37.5 });
    // 10:05:10: t1 waiting for 10 s; visit 2 released by then: (75 + 110) / 2
    expect((await at('10:05:10')).billing).toMatchObject({ waiting: 1, longest: 10, offered: 2, aht: 92.5 });
    // 10:08:00: t1 timed out at 10:05:18, a1 abandoned at 10:07:08; t2 waiting in sales since 10:06
    const later = await at('10:08:00');
    expect(later.billing).toMatchObject({ waiting: 0, offered: 4, timed_out: 1, abandoned: 1 });
    expect(later.sales).toMatchObject({ waiting: 1, longest: 120 });
    expect(later.sales).not.toHaveProperty('offered'); // t2 had no outcome by 10:08: not offered yet
  });
});
