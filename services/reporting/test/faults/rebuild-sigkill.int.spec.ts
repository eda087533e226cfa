// SIGKILL during a projection rebuild: the reporting projections rebuild a day's call events from offset 0 in a child
// process, which is killed mid-rebuild; a restart finishes it. The read model and the report must equal those of a
// clean rebuild of the same events: nothing lost, nothing counted twice.
import { encode, type AnyEvent } from '@switchboard/contracts';
import { createIdempotentProducer, deadLetterTopic, migrateEventStore } from '@switchboard/eventsourcing';
import { createTopics, eventually, freshDatabase, killWorkers, spawnWorker, testKafka, uniqueName } from '@switchboard/testing';
import type { Kafka, Producer } from 'kafkajs';
import * as path from 'node:path';
import { Pool } from 'pg';
import { DEFAULT_KPI_PARAMETERS } from '../../src/kpis/domain/kpi';
import { startProjections } from '../../src/projections/projection-host';
import { ReportReader } from '../../src/reports/application/report-reader';
import { syntheticCalls } from '../../src/test-support/synthetic-calls';

jest.setTimeout(180_000);
const CALLS = 3000;
const WORKER_CHUNK = 25; // many small transactions in the killed worker, so the kill lands mid-rebuild
const CHUNK = 500; // the clean run and the restart: chunking must not change the outcome either
const WORKER = path.join('services', 'reporting', 'test', 'faults', 'rebuild-worker.ts');

describe('reporting projection rebuild killed with SIGKILL', () => {
  const events = syntheticCalls(CALLS);
  const runs = ['clean', 'killed'].map((name) => ({ name, call: uniqueName(`it-rebuild-${name}-call`), agent: uniqueName(`it-rebuild-${name}-agent`) }));
  let kafka: Kafka;
  let producer: Producer;
  const dbs: Awaited<ReturnType<typeof freshDatabase>>[] = [];
  const pools: Pool[] = [];

  beforeAll(async () => {
    kafka = testKafka();
    producer = createIdempotentProducer(kafka);
    await producer.connect();
    const admin = kafka.admin();
    await admin.connect();
    const topics = runs.flatMap((r) => [r.call, r.agent]);
    await createTopics(admin, [...topics, ...topics.map(deadLetterTopic)], 3);
    await admin.disconnect();
    // The same records on each run's own topics (each projection host reading overridden topics has its own groups).
    for (const r of runs) {
      for (let i = 0; i < events.length; i += 2000) {
        await producer.send({ topic: r.call, acks: -1, messages: events.slice(i, i + 2000).map((e: AnyEvent) => ({ key: e.subject, value: encode(e) })) });
      }
    }
  });
  afterEach(() => killWorkers());
  afterAll(async () => {
    await producer?.disconnect();
    for (const p of pools) await p.end();
    for (const d of dbs) await d.drop();
  });

  async function database(): Promise<{ url: string; pool: Pool }> {
    const db = await freshDatabase();
    dbs.push(db);
    const pool = new Pool({ connectionString: db.url, max: 4 });
    pools.push(pool);
    await migrateEventStore(pool);
    return { url: db.url, pool };
  }

  async function rebuildInProcess(pool: Pool, run: (typeof runs)[number]): Promise<void> {
    const host = await startProjections({ kafka, pool, deadLetterProducer: producer, chunkSize: CHUNK, topics: { call: [run.call], agent: [run.agent] }, logger: { info: () => undefined } });
    try {
      await host.whenActive();
    } finally {
      await host.stop();
    }
  }

  const applied = async (pool: Pool) => Number((await pool.query(`select coalesce(sum(next_offset), 0) as n from es_consumer_offsets
    where consumer_group like 'projection-call_facts-%'`)).rows[0].n);

  async function outcome(pool: Pool) {
    const facts = (await pool.query('select * from call_facts order by call_id, queue_visit')).rows;
    const reader = new ReportReader(pool, { timeZone: 'Asia/Shanghai', parameters: DEFAULT_KPI_PARAMETERS });
    const range = { start: new Date('2025-03-01T00:00:00Z'), end: new Date('2025-03-02T00:00:00Z') };
    return { facts, intervals: await reader.intervalReport(range, 1800), days: await reader.periodReport({ start: new Date('2025-02-28T16:00:00Z'), end: new Date('2025-03-02T16:00:00Z') }, 'day') };
  }

  it('should end with the figures of a clean rebuild after a kill mid-rebuild and a restart', async () => {
    const clean = await database();
    await rebuildInProcess(clean.pool, runs[0]);
    const expected = await outcome(clean.pool);
    expect(expected.facts.length).toBeGreaterThan(CALLS); // second visits have rows of their own

    const killed = await database();
    const worker = spawnWorker(WORKER, {
      DATABASE_URL: killed.url, KAFKA_BROKERS: process.env.KAFKA_BROKERS!, CALL_TOPIC: runs[1].call, AGENT_TOPIC: runs[1].agent, CHUNK_SIZE: String(WORKER_CHUNK),
    });
    await eventually('the rebuild to be under way', async () => (await applied(killed.pool)) > events.length / 10, 120_000);
    worker.kill('SIGKILL');
    await worker.exited;
    const atKill = await applied(killed.pool);
    expect(atKill).toBeLessThan(events.length); // killed mid-rebuild, not after
    // Readers never saw the half-built version: the view is swapped in only once a version has caught up.
    expect((await killed.pool.query(`select to_regclass('call_facts') as v`)).rows[0].v).toBeNull();

    await rebuildInProcess(killed.pool, runs[1]);
    expect(await applied(killed.pool)).toBe(events.length);
    const actual = await outcome(killed.pool);
    expect(actual.facts).toEqual(expected.facts);
    expect(actual.intervals).toEqual(expected.intervals);
    expect(actual.days).toEqual(expected.days);
    expect(actual.intervals.length).toBeGreaterThan(8);
  });
});
