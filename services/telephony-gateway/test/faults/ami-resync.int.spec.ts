// Resync after a reconnect: the AMI link is cut (a TCP proxy between gateway and simulator) while the simulated call
// center moves on; on reconnect the list actions are compared with the tracked state and the
// differences are applied, so what the gateway tracks is what the PBX has, and later events land on the right calls.
import { randomBytes } from 'node:crypto';
import * as net from 'node:net';
import * as path from 'node:path';
import { Topics } from '@switchboard/contracts';
import { repoRoot } from '@switchboard/local-infra';
import { loadScenario, runOffline, startSimulator, type AgentIntervalRecord, type ContactRecord, type RunningSimulator } from '@switchboard/pbx-simulator';
import { eventually, freshDatabase, testKafka, uniqueName } from '@switchboard/testing';
import { Pool } from 'pg';
import { startGateway, type GatewayRuntime } from '../../src/gateway-runtime';
import { callerIdentifier } from '../../src/pii/caller-identity';
import { contactMismatches, dedupeById, perKeyOrderProblems, readTenantEvents, sleep, visitsFrom, visitsOf } from './fault-support';

jest.setTimeout(300_000);
const SCENARIO = path.join(repoRoot, 'tools/pbx-simulator/scenarios/small-test-day.json');
const MINUTE = 60_000;
const SEED = 3;

/** Forwards to the PBX until cut; while cut, new connections are closed at once (the PBX is unreachable). */
function cuttableProxy(target: () => number) {
  const pairs = new Set<net.Socket>();
  let cut = false;
  const server = net.createServer((client) => {
    if (cut) return void client.destroy();
    const upstream = net.connect({ host: '127.0.0.1', port: target() });
    for (const [a, b] of [[client, upstream], [upstream, client]]) {
      a.pipe(b);
      a.on('error', () => b.destroy());
      a.on('close', () => b.destroy());
      pairs.add(a);
      a.on('close', () => pairs.delete(a));
    }
  });
  return {
    server,
    cut: () => { cut = true; pairs.forEach((s) => s.destroy()); },
    restore: () => { cut = false; },
  };
}

describe('AMI resync after the link was down', () => {
  let db: { url: string; drop: () => Promise<void> };
  let pool: Pool;
  let sim: RunningSimulator;
  let gateway: GatewayRuntime | undefined;
  const tenant = uniqueName('t').toLowerCase();
  const key = randomBytes(32).toString('hex');
  const secret = randomBytes(12).toString('hex');
  const proxy = cuttableProxy(() => sim.amiPort!);
  const at = { cut: 0, back: 0 };
  let afterReconnect: { completed: number; last: { callsCorrected: number; agentsCorrected: number } | null };
  let tracked: { kind: string; subject: string; state: Record<string, unknown> }[];
  let again: { callsCorrected: number; agentsCorrected: number };

  const quiet = async () => {
    // The simulator only publishes when stepped: once the committed frame count stops moving, all is committed.
    let last = -1;
    await eventually('the gateway caught up', async () => {
      await gateway!.links[0].pipeline.flush();
      const n = gateway!.links[0].status().framesCommitted;
      const still = n === last;
      last = n;
      if (!still) await sleep(300);
      return still;
    });
  };

  beforeAll(async () => {
    db = await freshDatabase('sb_gw_resync');
    pool = new Pool({ connectionString: db.url, max: 4 });
    await new Promise<void>((r) => proxy.server.listen(0, '127.0.0.1', r));
    const base = await loadScenario(SCENARIO);
    // Half the callers tagged by the dial plan (SWITCHBOARD_CALLER_TIER): a caller found by the resync keeps its tier.
    const scenario = { ...base, durationHours: 4, callers: { ...base.callers, vipShare: 0.5 } };
    sim = await startSimulator({ scenario, seed: SEED, speed: 'max', amiPort: 0, amiSecret: secret, autoStart: false });
    gateway = await startGateway({
      pool, kafka: testKafka('gw-resync'), relayName: uniqueName('relay'), backoff: { initialMs: 100, maxMs: 400 },
      settings: { tenant, site: 'hq', callerHashKey: key, executeRoutingDecisions: false, ami: {
        pbxLinkId: uniqueName('pbx'), host: '127.0.0.1', port: (proxy.server.address() as net.AddressInfo).port, username: 'switchboard', secret,
        keepaliveMs: 5000, ringCycleMs: 5000, defaultDialedNumber: '4008001234',
      } },
    });
    const link = gateway.links[0];
    await eventually('the AMI link up', async () => link.status().state === 'up' && link.resyncs.completed === 1);

    at.cut = sim.simulation.startMs + 150 * MINUTE; // 10:30, near the morning peak
    sim.advanceTo(at.cut);
    await quiet();
    proxy.cut();
    await eventually('the link down', async () => link.status().state !== 'up');
    // Reconnect while a caller who joined during the outage still waits (found in an offline run of the same seed).
    const joinedWhileAway = runOffline(scenario, SEED).records.find((r): r is ContactRecord =>
      r.kind === 'contact' && r.queuedAtMs > at.cut + 2 * MINUTE && r.queuedAtMs < at.cut + 60 * MINUTE && r.waitMs > 30_000);
    at.back = joinedWhileAway!.queuedAtMs + 10_000;
    sim.advanceTo(at.back); // what happens now is never told to the gateway
    proxy.restore();
    await eventually('the link up and resynced', async () => link.status().state === 'up' && link.resyncs.completed === 2);
    await quiet();
    afterReconnect = link.resyncs;
    tracked = (await pool.query('select kind, subject, state from gw_subject_state where pbx_link_id = $1', [link.config.pbxLinkId])).rows;
    again = await link.resync();

    sim.start(); // the rest of the day, live
    await sim.done;
    await eventually('the outbox drained', async () =>
      link.status().backlog === 0 && (await pool.query('select count(*)::int as n from es_outbox')).rows[0].n === 0, 120_000);
  });

  afterAll(async () => {
    await gateway?.stop();
    proxy.cut();
    await sim?.stop();
    await new Promise((r) => proxy.server.close(r));
    await pool?.end();
    await db?.drop();
  });

  const truth = () => sim.groundTruth();
  const contacts = () => truth().filter((r): r is ContactRecord => r.kind === 'contact');
  const intervalsAt = (t: number) => truth().filter((r): r is AgentIntervalRecord => r.kind === 'agent-interval' && r.startMs <= t && t < r.endMs);

  it('should report the corrections it applied, and find none when asked again right after', () => {
    expect(afterReconnect.last!.agentsCorrected).toBeGreaterThan(0);
    expect(afterReconnect.last!.callsCorrected).toBeGreaterThan(0);
    expect(again).toEqual({ callsCorrected: 0, agentsCorrected: 0 });
  });

  it('should track after the resync the agents the PBX has logged in and paused', () => {
    const agents = tracked.filter((r) => r.kind === 'agent' && r.state.status === 'logged-in');
    const loggedIn = intervalsAt(at.back);
    expect(agents.map((r) => r.subject).sort()).toEqual(loggedIn.map((i) => i.agentId).sort());
    const paused = agents.filter((r) => r.state.pause !== null).map((r) => r.subject).sort();
    expect(paused).toEqual(loggedIn.filter((i) => i.state === 'not-ready' || i.state === 'acw').map((i) => i.agentId).sort());
  });

  it('should track after the resync exactly the callers waiting on the PBX, and no call that ended while away', () => {
    const calls = tracked.filter((r) => r.kind === 'call');
    const waiting = contacts().filter((c) => c.queuedAtMs <= at.back && at.back < (c.answeredAtMs ?? c.queuedAtMs + c.waitMs));
    const open = calls.filter((r) => r.state.status === 'queued');
    expect(open.map((r) => r.state.queueId).sort()).toEqual(waiting.map((c) => c.queue).sort());
    // Connected calls the gateway knows are exactly those still talking on the PBX (known before the cut).
    const talking = contacts().filter((c) => c.queuedAtMs < at.cut && c.answeredAtMs !== null && c.answeredAtMs <= at.back && at.back < c.conversationEndedAtMs!);
    expect(calls.filter((r) => r.state.status === 'connected').map((r) => r.state.agentId).sort()).toEqual(talking.map((c) => c.agentId).sort());
  });

  it('should publish the right outcome for callers who were waiting at the reconnect and for everyone after', async () => {
    const recovered = contacts().filter((c) => c.queuedAtMs > at.cut && c.queuedAtMs <= at.back && at.back < (c.answeredAtMs ?? c.queuedAtMs + c.waitMs));
    const later = contacts().filter((c) => c.callArrivedAtMs > at.back);
    expect(recovered.length).toBeGreaterThan(0);
    const read = await readTenantEvents(testKafka('gw-resync'), [Topics.telephonyCall.name, Topics.telephonyAgent.name], tenant,
      (es) => es.filter((e) => /\.(answered|abandoned|queue-timed-out)\.v1$/.test(e.type)).length >= later.length);
    const { unique } = dedupeById(read);
    expect(perKeyOrderProblems(unique)).toEqual([]);
    const visits = visitsFrom(unique.filter((e) => e.type.startsWith('switchboard.telephony.call.')));
    const hashOf = (n: string) => callerIdentifier(key)(n).hash;
    expect([...recovered, ...later].flatMap((t) => contactMismatches(t, visitsOf(t, visits, hashOf)))).toEqual([]);
    expect(visits.filter((v) => v.outcome === 'open')).toEqual([]);

    // The callers re-created from the queue list carry the tier the dial plan set (read from the channel list).
    const queued = unique.filter((e) => e.type.endsWith('.queued.v1'));
    const tierOf = (t: ContactRecord) => {
      const v = visitsOf(t, visits, hashOf)[0];
      return queued.find((e) => e.subject === v?.callId && Date.parse(e.time) === v.queuedAtMs)?.data.callerTier ?? null;
    };
    expect(recovered.map((t) => [t.contactId, tierOf(t)])).toEqual(recovered.map((t) => [t.contactId, t.callerTier]));
    expect(recovered.filter((t) => t.callerTier !== null).length).toBeGreaterThan(0);
  });
});
