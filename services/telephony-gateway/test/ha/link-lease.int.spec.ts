import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Topics } from '@switchboard/contracts';
import { loadScenario, startSimulator, type RunningSimulator } from '@switchboard/pbx-simulator';
import { createTopics, freshDatabase, testKafka, uniqueName } from '@switchboard/testing';
import { Pool } from 'pg';
import { Registry } from 'prom-client';
import { startGateway, type GatewayRuntime } from '../../src/gateway-runtime';
import { sequenceProblems } from '../../src/test-support/canonical-contacts';
import { readTopic } from '../../src/test-support/read-topic';
import { leaseOf, rawSequences, sleep, until } from './ha-support';

jest.setTimeout(240_000);
const SCENARIO = join(__dirname, '../../../../tools/pbx-simulator/scenarios/small-test-day.json');
const STANDBY_RETRY_MS = 1000;
/** The replica that loses its lease asks again only after this, so the standby is the one taking over. */
const LOSER_RETRY_MS = 60_000;
/** A loaded 2-core machine: timers and the lease query may run this late. */
const SLACK_MS = 1000;

async function linkActiveGauge(registry: Registry): Promise<number | undefined> {
  return (await registry.getSingleMetric('gateway_link_active')?.get())?.values[0]?.value;
}

describe('two gateway replicas against one PBX link', () => {
  const tenant = uniqueName('t').toLowerCase();
  const pbxLinkId = uniqueName('pbx');
  const secret = randomBytes(12).toString('hex');
  const topics = { raw: uniqueName('ha-raw'), call: uniqueName('ha-call'), assignments: uniqueName('ha-assign') };
  const kafka = testKafka('gw-ha');
  // One name, as every replica of a deployment has: the outbox relay elects one publisher per name.
  const relayName = uniqueName('relay');
  const registries = { first: new Registry(), second: new Registry() };
  let db: { url: string; drop: () => Promise<void> };
  let pools: Pool[] = [];
  let sim: RunningSimulator;
  let first: GatewayRuntime;
  let second: GatewayRuntime;
  let mostAmiClients = 0;
  let sampler: NodeJS.Timeout | undefined;
  let killedAt = 0;
  let takenOverAt = 0;

  const start = (registry: Registry, retryMs: number) => {
    const pool = new Pool({ connectionString: db.url, max: 4 });
    pools.push(pool);
    return startGateway({
      pool, kafka, relayName, metrics: registry, assignmentGroupId: `${pbxLinkId}-assign`,
      topicOverrides: { [Topics.telephonyPbxRaw.name]: topics.raw, [Topics.telephonyCall.name]: topics.call, [Topics.routingAssignment.name]: topics.assignments },
      settings: {
        tenant, site: 'hq', callerHashKey: randomBytes(32).toString('hex'), linkLeaseRetryMs: retryMs,
        ami: { pbxLinkId, host: '127.0.0.1', port: sim.amiPort!, username: 'switchboard', secret, keepaliveMs: 5000, ringCycleMs: 5000, defaultDialedNumber: '4008001234' },
      },
    });
  };

  beforeAll(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await createTopics(admin, Object.values(topics));
    await admin.disconnect();
    db = await freshDatabase('sb_gw_ha');
    const base = await loadScenario(SCENARIO);
    // About 15 s of wall time: long enough to take over in the middle of the day.
    sim = await startSimulator({ scenario: { ...base, durationHours: 1 }, seed: 11, speed: 240, amiPort: 0, amiSecret: secret, autoStart: false });
    first = await start(registries.first, LOSER_RETRY_MS);
    second = await start(registries.second, STANDBY_RETRY_MS);
    await until('the first replica logged in', () => first.links[0]?.status().state === 'up' && sim.progress().amiClients > 0);
  });

  afterAll(async () => {
    clearInterval(sampler);
    await first?.stop();
    await second?.stop();
    await sim?.stop();
    await Promise.all(pools.map((p) => p.end()));
    pools = [];
    await db?.drop();
  });

  it('should connect only the replica holding the lease, the other standing by', async () => {
    await sleep(2 * STANDBY_RETRY_MS);
    expect(sim.progress().amiClients).toBe(1);
    expect([leaseOf(first), leaseOf(second)]).toEqual(['active', 'standby']);
    expect([first.links.length, second.links.length]).toEqual([1, 0]);
    expect([first.assignmentConsumers.has(pbxLinkId), second.assignmentConsumers.has(pbxLinkId)]).toEqual([true, false]);
    expect([await linkActiveGauge(registries.first), await linkActiveGauge(registries.second)]).toEqual([1, 0]);
  });

  it('should hand the link to the standby within its retry period when the active replica loses its lease session', async () => {
    sampler = setInterval(() => { mostAmiClients = Math.max(mostAmiClients, sim.progress().amiClients); }, 10);
    sim.start();
    await until('the first replica published part of the day', () => first.links[0].status().canonicalCommitted > 200);
    // What a crashed replica's lease looks like to Postgres: its session is gone (the lock with it).
    const { rows } = await pools[0].query<{ n: number }>(`select count(pg_terminate_backend(l.pid))::int as n
      from pg_locks l join pg_stat_activity a on a.pid = l.pid
      where l.locktype = 'advisory' and l.granted and a.application_name = 'telephony-gateway link lease' and a.datname = current_database()`);
    expect(rows[0].n).toBe(1);
    killedAt = Date.now();
    await until('the standby took the lease', () => leaseOf(second) === 'active', STANDBY_RETRY_MS + SLACK_MS);
    takenOverAt = Date.now();
    expect(takenOverAt - killedAt).toBeLessThanOrEqual(STANDBY_RETRY_MS + SLACK_MS);
    expect(leaseOf(first)).toBe('standby');
    expect(first.links).toHaveLength(0);
    await until('the standby logged in', () => second.links[0]?.status().state === 'up');
    // The standby's assignment consumer joins the group once the old one has left it.
    await until('routing assignments consumed by the new active replica only', () => !first.assignmentConsumers.has(pbxLinkId) && second.assignmentConsumers.has(pbxLinkId), 30_000);
    expect([await linkActiveGauge(registries.first), await linkActiveGauge(registries.second)]).toEqual([0, 1]);
  });

  it('should keep events flowing from the new active replica, never with two replicas logged in', async () => {
    await sim.done;
    await until('everything received is on Kafka', async () => second.links[0].status().backlog === 0
      && (await pools[1].query<{ n: number }>('select count(*)::int as n from es_outbox')).rows[0].n === 0, 60_000);
    clearInterval(sampler);
    expect(mostAmiClients).toBe(1);
    expect(second.links[0].status().canonicalCommitted).toBeGreaterThan(0);
    expect(second.links[0].resyncs.completed).toBeGreaterThanOrEqual(1);
  });

  it('should archive every frame once and number every call event once, across the takeover', async () => {
    const { rows } = await pools[1].query<{ frame_sequence: string }>('select frame_sequence from gw_link_state where pbx_link_id = $1', [pbxLinkId]);
    const frames = Number(rows[0].frame_sequence);
    // The link keeps receiving (keepalive replies are frames too), so more may have been archived since.
    const sequences = await rawSequences(topics.raw, tenant, frames);
    expect(sequences.length).toBeGreaterThanOrEqual(frames);
    expect(new Set(sequences).size).toBe(sequences.length);
    expect(Math.max(...sequences)).toBe(sequences.length);
    const events = await readTopic(topics.call, tenant, (es) => es.length > 0);
    expect(events.length).toBeGreaterThan(0);
    expect(sequenceProblems(events)).toEqual([]);
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
  });
});
