import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Topics } from '@switchboard/contracts';
import { loadScenario, startSimulator, type RunningSimulator } from '@switchboard/pbx-simulator';
import { createTopics, freshDatabase, testKafka, uniqueName } from '@switchboard/testing';
import { Pool, type PoolClient } from 'pg';
import { Registry } from 'prom-client';
import { startGateway, type GatewayRuntime } from '../../src/gateway-runtime';
import type { LinkPipeline } from '../../src/publishing/link-pipeline';
import { sequenceProblems } from '../../src/test-support/canonical-contacts';
import { readTopic } from '../../src/test-support/read-topic';
import { leaseOf, rawSequences, until } from './ha-support';

jest.setTimeout(240_000);
const SCENARIO = join(__dirname, '../../../../tools/pbx-simulator/scenarios/small-test-day.json');
const STANDBY_RETRY_MS = 1000;
/** The replica that loses its lease asks again only after this, so the standby is the one taking over. */
const LOSER_RETRY_MS = 60_000;

async function fencedWrites(registry: Registry): Promise<number> {
  return (await registry.getSingleMetric('gateway_link_fenced_writes_total')?.get())?.values[0]?.value ?? 0;
}

/**
 * The residual window of ADR 0010, closed by ADR 0018: the active replica loses its lease while one of its batches
 * waits to be written; the standby takes the lease and reads the link's state; then the old batch reaches Postgres.
 * The batch is held back by a lock on gw_link_state that lets readers through, so the order is exact, not a race.
 */
describe('a write of a replica that lost its lease, after another took it', () => {
  const tenant = uniqueName('t').toLowerCase();
  const pbxLinkId = uniqueName('pbx');
  const secret = randomBytes(12).toString('hex');
  const topics = { raw: uniqueName('fence-raw'), call: uniqueName('fence-call'), assignments: uniqueName('fence-assign') };
  const kafka = testKafka('gw-fence');
  const relayName = uniqueName('relay');
  const registries = { first: new Registry(), second: new Registry() };
  const logs: { replica: string; message: string }[] = [];
  let db: { url: string; drop: () => Promise<void> };
  let pools: Pool[] = [];
  let admin: Pool;
  let sim: RunningSimulator;
  let first: GatewayRuntime;
  let second: GatewayRuntime;

  const start = (replica: 'first' | 'second', retryMs: number) => {
    const pool = new Pool({ connectionString: db.url, max: 4, application_name: `gateway ${replica}` });
    pools.push(pool);
    return startGateway({
      pool, kafka, relayName, metrics: registries[replica], assignmentGroupId: `${pbxLinkId}-assign`,
      log: (_level, message) => { logs.push({ replica, message }); },
      topicOverrides: { [Topics.telephonyPbxRaw.name]: topics.raw, [Topics.telephonyCall.name]: topics.call, [Topics.routingAssignment.name]: topics.assignments },
      settings: {
        tenant, site: 'hq', callerHashKey: randomBytes(32).toString('hex'), linkLeaseRetryMs: retryMs,
        ami: { pbxLinkId, host: '127.0.0.1', port: sim.amiPort!, username: 'switchboard', secret, keepaliveMs: 5000, ringCycleMs: 5000, defaultDialedNumber: '4008001234' },
      },
    });
  };
  /** A replica's batch statements (which begin with the lease check) waiting for a lock: its writes held back. */
  const heldBack = async (replica: string) => (await admin.query<{ n: number }>(`select count(*)::int as n from pg_stat_activity
    where application_name = $1 and datname = current_database() and wait_event_type = 'Lock' and query like '%from gw_link_lease%for share%'`, [`gateway ${replica}`])).rows[0].n;

  beforeAll(async () => {
    const kafkaAdmin = kafka.admin();
    await kafkaAdmin.connect();
    await createTopics(kafkaAdmin, Object.values(topics));
    await kafkaAdmin.disconnect();
    db = await freshDatabase('sb_gw_fence');
    admin = new Pool({ connectionString: db.url, max: 3 });
    const base = await loadScenario(SCENARIO);
    sim = await startSimulator({ scenario: { ...base, durationHours: 1 }, seed: 7, speed: 240, amiPort: 0, amiSecret: secret, autoStart: false });
    first = await start('first', LOSER_RETRY_MS);
    second = await start('second', STANDBY_RETRY_MS);
    await until('the first replica logged in', () => first.links[0]?.status().state === 'up');
  });

  afterAll(async () => {
    await first?.stop();
    await second?.stop();
    await sim?.stop();
    await Promise.all(pools.map((p) => p.end()));
    pools = [];
    await admin?.end();
    await db?.drop();
  });

  it('should refuse the old holder\'s late batch, stop its link, and leave the new holder\'s state and numbering intact', async () => {
    sim.start();
    await until('the first replica published part of the day', () => first.links[0].status().canonicalCommitted > 200);
    const oldPipeline: LinkPipeline = first.links[0].pipeline;
    const epochBefore = (await admin.query<{ epoch: string }>('select epoch from gw_link_lease where pbx_link_id = $1', [pbxLinkId])).rows[0].epoch;

    // Writers of gw_link_state wait; readers (the next holder's open) do not.
    const blocker: PoolClient = await admin.connect();
    await blocker.query('begin');
    await blocker.query('lock table gw_link_state in exclusive mode');
    try {
      await until('a batch of the first replica held back', async () => (await heldBack('first')) === 1);
      const committedBefore = oldPipeline.framesCommitted;

      const { rows } = await admin.query<{ n: number }>(`select count(pg_terminate_backend(a.pid))::int as n from pg_stat_activity a
        where a.application_name = 'telephony-gateway link lease' and a.datname = current_database() and exists (
          select 1 from pg_locks l where l.pid = a.pid and l.locktype = 'advisory' and l.granted)`);
      expect(rows[0].n).toBe(1);
      await until('the standby took the lease and opened the link (its state read)', () => leaseOf(second) === 'active' && second.links.length === 1, 10_000);
      await until('a batch of the new holder held back too', async () => (await heldBack('second')) === 1, 30_000);
      const epochAfter = (await admin.query<{ epoch: string }>('select epoch from gw_link_lease where pbx_link_id = $1', [pbxLinkId])).rows[0].epoch;
      expect(BigInt(epochAfter)).toBe(BigInt(epochBefore) + 1n);
      // The old holder's batch is still waiting: the window is open.
      expect(await heldBack('first')).toBe(1);
      expect(oldPipeline.framesCommitted).toBe(committedBefore);

      await blocker.query('commit');
      await oldPipeline.flush();
      // The late batch (and whatever queued behind it) was not written.
      expect(oldPipeline.framesCommitted).toBe(committedBefore);
      expect(oldPipeline.fenced).toBe(true);
      expect(oldPipeline.backlog).toBe(0);
      await until('the old holder\'s link stopped', () => first.links.length === 0, 10_000);
      expect(leaseOf(first)).toBe('standby');
      expect(await fencedWrites(registries.first)).toBe(1);
      expect(await fencedWrites(registries.second)).toBe(0);
      expect(logs.filter((l) => l.replica === 'first' && /write fenced/.test(l.message))).toHaveLength(1);
    } finally {
      await blocker.query('rollback').catch(() => undefined);
      blocker.release();
    }

    await sim.done;
    await until('everything received is on Kafka', async () => second.links[0].status().backlog === 0
      && (await admin.query<{ n: number }>('select count(*)::int as n from es_outbox')).rows[0].n === 0, 60_000);
    expect(second.links[0].pipeline.fenced).toBe(false);
    expect(second.links[0].status().canonicalCommitted).toBeGreaterThan(0);
    // Had the late batch been written, its frame and call-event numbers would be given again by the new holder.
    const { rows } = await admin.query<{ frame_sequence: string }>('select frame_sequence from gw_link_state where pbx_link_id = $1', [pbxLinkId]);
    const frames = Number(rows[0].frame_sequence);
    const sequences = await rawSequences(topics.raw, tenant, frames);
    expect(new Set(sequences).size).toBe(sequences.length);
    expect(Math.max(...sequences)).toBe(sequences.length);
    const events = await readTopic(topics.call, tenant, (es) => es.length > 0);
    expect(sequenceProblems(events)).toEqual([]);
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
  });
});
