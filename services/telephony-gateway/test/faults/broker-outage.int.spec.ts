// Issue #5: the broker is down for 30 s in the middle of a simulated day. The gateway keeps taking PBX events into its
// Postgres outbox; when the broker returns the relay drains it. After dedupe by event id the topic equals ground truth.
// The broker is a private one (own ports and data dir): the shared broker serves other suites running in parallel.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Topics } from '@switchboard/contracts';
import { repoRoot, runningBrokerPid, startKafka, stopKafka, type KafkaBrokerOptions } from '@switchboard/local-infra';
import { loadScenario, startSimulator, type ContactRecord, type RunningSimulator } from '@switchboard/pbx-simulator';
import { eventually, freshDatabase, uniqueName } from '@switchboard/testing';
import { createKafka } from '@switchboard/eventsourcing';
import { logLevel, type Kafka } from 'kafkajs';
import { Pool } from 'pg';
import { startGateway, type GatewayRuntime } from '../../src/gateway-runtime';
import { callerIdentifier } from '../../src/pii/caller-identity';
import { contactMismatches, dedupeById, freePorts, perKeyOrderProblems, readTenantEvents, sleep, visitsFrom, visitsOf, type PublishedEvent } from './fault-support';

jest.setTimeout(420_000);
const SCENARIO = path.join(repoRoot, 'tools/pbx-simulator/scenarios/small-test-day.json');
const OUTAGE_MS = 30_000;

describe('telephony gateway while the Kafka broker is down for 30 s', () => {
  let broker: KafkaBrokerOptions;
  let db: { url: string; drop: () => Promise<void> };
  let pool: Pool;
  let sim: RunningSimulator;
  let gateway: GatewayRuntime | undefined;
  const tenant = uniqueName('t').toLowerCase();
  const key = randomBytes(32).toString('hex');
  const secret = randomBytes(12).toString('hex');
  let kafka: Kafka;
  const warnings: string[] = [];
  const observed = { outboxDuringOutage: [] as number[], publishedBeforeKill: 0 };

  beforeAll(async () => {
    const [port, controllerPort] = await freePorts(2);
    broker = { rootDir: repoRoot, port, controllerPort };
    await startKafka(broker, 120_000, true);
    // The production client (createKafka, so the relay's producer runs in its worker thread), quiet: the outage is expected.
    kafka = createKafka('gw-fault', [`127.0.0.1:${port}`], { logLevel: logLevel.NOTHING });
    db = await freshDatabase('sb_gw_fault');
    pool = new Pool({ connectionString: db.url, max: 4 });
    // One simulated hour at 60x: a minute of wall time, so the 30 s outage sits in the middle of the run.
    const scenario = { ...(await loadScenario(SCENARIO)), durationHours: 1 };
    sim = await startSimulator({ scenario, seed: 11, speed: 60, amiPort: 0, amiSecret: secret, autoStart: false });
    gateway = await startGateway({
      pool, kafka, relayName: uniqueName('relay'), backoff: { initialMs: 200, maxMs: 2000 },
      log: (level, message, detail) => { if (level === 'warn') warnings.push(`${message} ${JSON.stringify(detail ?? {})}`); },
      settings: { tenant, site: 'hq', callerHashKey: key, executeRoutingDecisions: false, ami: {
        pbxLinkId: uniqueName('pbx'), host: '127.0.0.1', port: sim.amiPort!, username: 'switchboard', secret, keepaliveMs: 5000, ringCycleMs: 5000, defaultDialedNumber: '4008001234',
      } },
    });
    await eventually('the AMI link up', async () => gateway!.links[0].status().state === 'up' && sim.progress().amiClients === 1);
    sim.start();

    await eventually('the relay publishing before the outage', async () => gateway!.relay.published > 0, 30_000);
    observed.publishedBeforeKill = gateway.relay.published;
    process.kill(runningBrokerPid(broker)!, 'SIGKILL');
    const killedAt = Date.now();
    while (Date.now() - killedAt < OUTAGE_MS) {
      await sleep(5000);
      observed.outboxDuringOutage.push((await pool.query('select count(*)::int as n from es_outbox')).rows[0].n);
    }
    await startKafka(broker, 120_000, false); // same data dir: the topics and what they held come back
    await sim.done;
    await eventually('the outbox drained to the restarted broker', async () =>
      gateway!.links[0].status().backlog === 0 && (await pool.query('select count(*)::int as n from es_outbox')).rows[0].n === 0, 120_000)
      .catch((e: Error) => { throw new Error(`${e.message}; last gateway warnings: ${warnings.slice(-3).join(' | ')}`); });
  });

  afterAll(async () => {
    await gateway?.stop();
    await sim?.stop();
    await pool?.end();
    await db?.drop();
    if (broker) {
      await stopKafka(broker);
      fs.rmSync(path.join(repoRoot, '.infra', 'kafka', `data-${broker.port}`), { recursive: true, force: true });
    }
  });

  it('should keep committing PBX events to the outbox while the broker is away', () => {
    expect(observed.publishedBeforeKill).toBeGreaterThan(0);
    expect(observed.outboxDuringOutage.length).toBeGreaterThanOrEqual(5);
    // The backlog grows during the outage: frames are still taken from the PBX and kept, not dropped.
    expect(observed.outboxDuringOutage.at(-1)!).toBeGreaterThan(observed.outboxDuringOutage[0]);
  });

  it('should publish every ground-truth contact once, with its outcome, after dedupe by event id, in per-key order', async () => {
    const truth = sim.groundTruth().filter((r): r is ContactRecord => r.kind === 'contact');
    expect(truth.length).toBeGreaterThan(20);
    const closed = (es: PublishedEvent[]) => es.filter((e) => /\.(answered|abandoned|queue-timed-out)\.v1$/.test(e.type)).length;
    const read = await readTenantEvents(kafka, [Topics.telephonyCall.name, Topics.telephonyAgent.name], tenant, (es) => closed(dedupeById(es).unique) >= truth.length);
    const { unique, conflicting } = dedupeById(read);
    expect(conflicting).toEqual([]);
    expect(perKeyOrderProblems(unique)).toEqual([]);

    const calls = unique.filter((e) => e.type.startsWith('switchboard.telephony.call.'));
    const visits = visitsFrom(calls);
    const hash = callerIdentifier(key);
    const hashOf = (n: string) => hash(n).hash;
    expect(truth.flatMap((t) => contactMismatches(t, visitsOf(t, visits, hashOf)))).toEqual([]);
    expect(visits).toHaveLength(truth.length);
  });
});
