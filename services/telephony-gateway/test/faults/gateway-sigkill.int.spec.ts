// Issue #5: the gateway process is SIGKILLed in the middle of a simulated day and started again.
//
// What a real PBX loses: Asterisk does not buffer AMI events for a client that is gone, so everything that happens
// while no gateway is logged in (plus what the dead process had read but not yet committed) is never told again.
// On reconnect the gateway asks for the current state (QueueStatus, CoreShowChannels, Status) and the outbox of the
// killed process is relayed by the new one. So the test holds the gateway to:
//  - contacts that ended before the kill, and contacts queued after the restart: published once, as in ground truth;
//  - contacts that began and ended while it was down: absent (nothing can be invented for them);
//  - contacts spanning the gap: published at most once per queue visit, never double-counted, and closed (resync
//    corrections end calls gone from the PBX; their outcome is what the gateway could tell, not ground truth);
//  - after dedupe by event id, per-key sequences 1..n (the restart continues each subject's sequence).
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { Topics } from '@switchboard/contracts';
import { repoRoot } from '@switchboard/local-infra';
import { loadScenario, startSimulator, type ContactRecord, type RunningSimulator } from '@switchboard/pbx-simulator';
import { eventually, freshDatabase, killWorkers, spawnWorker, testInfra, testKafka, uniqueName } from '@switchboard/testing';
import { Pool } from 'pg';
import { callerIdentifier } from '../../src/pii/caller-identity';
import { contactEndMs, contactMismatches, dedupeById, freePorts, perKeyOrderProblems, readTenantEvents, visitsFrom, visitsOf, type PublishedEvent } from './fault-support';

jest.setTimeout(360_000);
const SCENARIO = path.join(repoRoot, 'tools/pbx-simulator/scenarios/small-test-day.json');
const MAIN = path.join(repoRoot, 'services/telephony-gateway/src/main.ts');
const SPEED = 60;
/** Frames the killed process had read but not committed are lost too: this much wall time before the kill is in doubt. */
const UNCOMMITTED_WALL_MS = 3000;

describe('telephony gateway SIGKILLed mid-run and restarted', () => {
  let db: { url: string; drop: () => Promise<void> };
  let pool: Pool;
  let sim: RunningSimulator;
  const tenant = uniqueName('t').toLowerCase();
  const key = randomBytes(32).toString('hex');
  const secret = randomBytes(12).toString('hex');
  const gap = { killedAtSimMs: 0, downAtLeastUntilSimMs: 0, upAgainAtSimMs: 0, outboxAtKill: 0 };
  let env: Record<string, string>;

  const gatewayEnv = async (): Promise<Record<string, string>> => {
    const [grpc, metrics] = await freePorts(2);
    return { ...env, GRPC_PORT: String(grpc), METRICS_PORT: String(metrics) };
  };
  const outbox = async () => (await pool.query('select count(*)::int as n from es_outbox')).rows[0].n as number;
  const committedFrames = async () => Number((await pool.query('select coalesce(max(frame_sequence), 0) as n from gw_link_state')).rows[0]?.n ?? 0);

  beforeAll(async () => {
    db = await freshDatabase('sb_gw_kill');
    pool = new Pool({ connectionString: db.url, max: 2 });
    // One simulated hour at 60x: a minute of wall time with the kill in the middle (the morning starts quietly).
    const scenario = { ...(await loadScenario(SCENARIO)), durationHours: 1 };
    sim = await startSimulator({ scenario, seed: 5, speed: SPEED, amiPort: 0, amiSecret: secret, autoStart: false });
    env = {
      DATABASE_URL: db.url, KAFKA_BROKERS: testInfra().brokers.join(','), LOG_LEVEL: 'warn', AUTH_JWT_SECRET: randomBytes(32).toString('hex'),
      CALLER_HASH_KEY: key, TENANT_ID: tenant, SITE_ID: 'hq', AMI_HOST: '127.0.0.1', AMI_PORT: String(sim.amiPort), AMI_USERNAME: 'switchboard',
      AMI_SECRET: secret, PBX_LINK_ID: uniqueName('pbx'), RING_CYCLE_SECONDS: '5', DEFAULT_DIALED_NUMBER: '4008001234', EXECUTE_ROUTING_DECISIONS: 'false',
    };

    const first = spawnWorker(MAIN, await gatewayEnv());
    await eventually('the first gateway logged in over AMI', async () => sim.progress().amiClients === 1, 90_000);
    sim.start();
    const started = Date.now();
    await eventually('the first gateway committing frames', async () => (await committedFrames()) > 200 && Date.now() - started > 25_000, 90_000);
    first.kill('SIGKILL');
    gap.killedAtSimMs = sim.simulation.now;
    await first.exited;
    gap.outboxAtKill = await outbox();

    const second = spawnWorker(MAIN, await gatewayEnv());
    // Polling sees the login late (a 100 ms poll is 6 s simulated at 60x, more on a loaded machine): the last poll that still found no client
    // bounds the gap from below, the first that found one from above. Contacts in between count as spanning.
    let lastSeenDown = sim.simulation.now;
    await eventually('the restarted gateway logged in over AMI', async () => {
      const up = sim.progress().amiClients === 1;
      if (!up) lastSeenDown = sim.simulation.now;
      return up;
    }, 90_000);
    gap.downAtLeastUntilSimMs = lastSeenDown;
    gap.upAgainAtSimMs = sim.simulation.now;
    await sim.done;
    await eventually('the restarted gateway drained its outbox', async () => second.exitCode === null && (await outbox()) === 0, 120_000);
    second.kill('SIGTERM');
    await second.exited;
  });

  afterAll(async () => {
    killWorkers();
    await sim?.stop();
    await pool?.end();
    await db?.drop();
  });

  it('should publish what it saw exactly once after dedupe, lose only what the PBX said while it was away, and keep per-key order', async () => {
    const truth = sim.groundTruth().filter((r): r is ContactRecord => r.kind === 'contact');
    const doubtFrom = gap.killedAtSimMs - UNCOMMITTED_WALL_MS * SPEED;
    const before = truth.filter((t) => contactEndMs(t) < doubtFrom);
    const after = truth.filter((t) => t.callArrivedAtMs > gap.upAgainAtSimMs);
    const unseen = truth.filter((t) => t.callArrivedAtMs > gap.killedAtSimMs && contactEndMs(t) < gap.downAtLeastUntilSimMs);
    const spanning = truth.filter((t) => !before.includes(t) && !after.includes(t) && !unseen.includes(t));
    expect(before.length).toBeGreaterThan(5);
    expect(after.length).toBeGreaterThan(5);

    const closed = (es: PublishedEvent[]) => es.filter((e) => /\.(answered|abandoned|queue-timed-out)\.v1$/.test(e.type)).length;
    const read = await readTenantEvents(testKafka('gw-fault'), [Topics.telephonyCall.name, Topics.telephonyAgent.name], tenant,
      (es) => closed(dedupeById(es).unique) >= before.length + after.length);
    const { unique, conflicting } = dedupeById(read);
    expect(conflicting).toEqual([]);
    expect(perKeyOrderProblems(unique)).toEqual([]);

    const visits = visitsFrom(unique.filter((e) => e.type.startsWith('switchboard.telephony.call.')));
    const hash = callerIdentifier(key);
    const hashOf = (n: string) => hash(n).hash;
    expect([...before, ...after].flatMap((t) => contactMismatches(t, visitsOf(t, visits, hashOf)))).toEqual([]);
    expect(unseen.filter((t) => visitsOf(t, visits, hashOf).length > 0).map((t) => t.contactId)).toEqual([]);
    expect(spanning.filter((t) => visitsOf(t, visits, hashOf).length > 1).map((t) => t.contactId)).toEqual([]);
    // Calls that ended while it was down are closed by the resync corrections: no visit is left open.
    expect(visits.filter((v) => v.outcome === 'open')).toEqual([]);
    // Nothing published that ground truth does not know.
    const known = new Set(truth.flatMap((t) => visitsOf(t, visits, hashOf)));
    expect(visits.filter((v) => !known.has(v))).toEqual([]);
  });
});
