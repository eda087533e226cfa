import { encode, type AnyEvent } from '@switchboard/contracts';
import { createIdempotentProducer, deadLetterTopic, migrateEventStore } from '@switchboard/eventsourcing';
import { createTopics, freshDatabase, testKafka, uniqueName } from '@switchboard/testing';
import type { Kafka, Producer } from 'kafkajs';
import { Pool } from 'pg';
import { DEFAULT_KPI_PARAMETERS } from '../kpis/domain/kpi';
import { ReportReader } from '../reports/application/report-reader';
import { callDay } from '../test-support/call-day.fixture';
import { ProjectionHost, startProjections } from './projection-host';

const quiet = { info: () => undefined };
const figuresOf = (row: { figures: { kpiId: string; value: number }[] } | undefined) =>
  Object.fromEntries((row?.figures ?? []).map((f) => [f.kpiId, f.value]));

async function eventually<T>(probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (ok(v) || Date.now() > until) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('reporting projections from the telephony topics (real Kafka and Postgres)', () => {
  const day = callDay();
  const topics = { call: [uniqueName('it-report-call')], agent: [uniqueName('it-report-agent')] };
  let kafka: Kafka;
  let producer: Producer;
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let pool: Pool;
  let host: ProjectionHost;
  let reader: ReportReader;
  const publish = (topic: string, events: AnyEvent[]) =>
    producer.send({ topic, acks: -1, messages: events.map((e) => ({ key: e.subject, value: encode(e) })) });

  beforeAll(async () => {
    kafka = testKafka();
    producer = createIdempotentProducer(kafka);
    await producer.connect();
    const admin = kafka.admin();
    await admin.connect();
    const all = [...topics.call, ...topics.agent];
    await createTopics(admin, [...all, ...all.map(deadLetterTopic)], 3);
    await admin.disconnect();
    db = await freshDatabase();
    pool = new Pool({ connectionString: db.url, max: 4 });
    await migrateEventStore(pool);
    await publish(topics.call[0], day.first);
    await publish(topics.agent[0], day.agentEvents);
    host = await startProjections({ kafka, pool, deadLetterProducer: producer, topics, chunkSize: 50, logger: quiet });
    await host.whenActive();
    await publish(topics.call[0], day.late);
    reader = new ReportReader(pool, { timeZone: 'Asia/Shanghai', parameters: DEFAULT_KPI_PARAMETERS });
  }, 90_000);

  afterAll(async () => {
    await host?.stop();
    await producer?.disconnect();
    await pool?.end();
    await db?.drop();
  });

  const range = () => ({ start: day.at('09:00:00'), end: day.at('10:00:00') });

  it('should put each call in the interval it queued in, whatever the delivery order, counting duplicates once', async () => {
    const rows = await eventually(() => reader.intervalReport(range(), 1800), (r) => figuresOf(r[1]).offered === 2);
    expect(rows.map((r) => [r.key, r.bucketStart.toISOString()])).toEqual([
      ['billing', day.at('09:00:00').toISOString()], ['billing', day.at('09:30:00').toISOString()]]);
    // 09:00: c1 (answered, wait 10), c2 (queued 09:29:50, answered 09:30:15 after 25 s, 3 rings, agent hung up), c3 (short abandon)
    expect(figuresOf(rows[0])).toMatchObject({
      offered: 3, answered: 2, abandoned: 1, short_abandoned: 1, ring_rule_violations: 1, released_first_violations: 1,
      service_level_asterisk: 50, longest_wait: 25, asa: 17.5,
      aht: 210, // (300 + 20 ACW + 100) / 2
      fcr_72h: 50, // c1's caller called again at 09:50 (c6)
    });
    // 09:30: c4 (late, abandoned after 60 s), c6 (repeat caller of c1); c5 still waiting is not offered yet
    expect(figuresOf(rows[1])).toMatchObject({ offered: 2, answered: 1, abandoned: 1, short_abandoned: 0, repeat_caller_rate_24h: 50, longest_wait: 60 });
  });

  it('should roll calls up per day in the site time zone', async () => {
    const rows = await reader.periodReport({ start: day.at('00:00:00'), end: new Date(day.at('00:00:00').getTime() + 86_400_000) }, 'day');
    expect(rows).toHaveLength(1);
    expect(rows[0].bucketStart.toISOString()).toBe('2025-03-13T16:00:00.000Z'); // midnight in Asia/Shanghai
    expect(figuresOf(rows[0])).toMatchObject({ offered: 5, answered: 3, abandoned: 2 });
  });

  it('should cut agent state time into intervals', async () => {
    const rows = await reader.agentReport(range(), { tenant: 'acme', agentIds: ['E1'], intervalSeconds: 1800 });
    // 09:00–09:30: ready 10 s + 870 s, on call 300 s, wrap-up 20 s, break 600 s
    expect(figuresOf(rows[0])).toMatchObject({ ready_waiting_time: 880, non_service_time: 600, 'non_service_time.break': 600, answered: 2 });
    expect(figuresOf(rows[0]).occupancy).toBeCloseTo((320 / 1200) * 100, 6);
    // 09:30–10:00: ready 15 s (closed at 09:30:15), then on call until the range end: the open state counts too.
    expect(figuresOf(rows[1])).toMatchObject({ ready_waiting_time: 15, non_service_time: 0 });
    expect(figuresOf(rows[1]).occupancy).toBeCloseTo((1785 / 1800) * 100, 6);
  });

  it('should count every call event once when the whole day is published again (call facts keep no per-event id table)', async () => {
    const before = await reader.intervalReport(range(), 1800);
    const facts = async () => (await pool.query(`select call_id, queue_visit, acw_s, talk_s, hold_s, released_by, repeat_24h, followed_up_72h
      from call_facts order by call_id, queue_visit`)).rows;
    const rowsBefore = await facts();
    // As an outbox relay re-sending after a crash would: the same event ids again, after everything else.
    await publish(topics.call[0], [...day.first, ...day.late]);
    const offsets = async () => Number((await pool.query(`select coalesce(sum(next_offset), 0) as n from es_consumer_offsets
      where consumer_group like 'projection-call_facts-%'`)).rows[0].n);
    const published = day.first.length * 2 + day.late.length * 2;
    expect(await eventually(offsets, (n) => n === published)).toBe(published);
    expect(await facts()).toEqual(rowsBefore);
    expect(await reader.intervalReport(range(), 1800)).toEqual(before); // aht 210 still holds c1's 20 s ACW once
    const ids = await pool.query(`select count(*)::int as n from es_consumer_processed where consumer_group like 'projection-call_facts-%'`);
    expect(ids.rows[0].n).toBe(0);
  });

  it('should show the live floor: calls waiting, longest wait and agents by state', async () => {
    const { queues, agents } = await reader.realtime(day.at('09:46:00'), ['billing']);
    expect(queues[0]).toMatchObject({ queueId: 'billing', waitingCalls: 1, longestWaitSeconds: 60, agents: { 'on-call': 1, ready: 0 } });
    expect(agents).toEqual([expect.objectContaining({ agentId: 'E1', state: 'on-call', secondsInState: 945 })]);
  });
});
