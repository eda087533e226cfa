import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Topics } from '@switchboard/contracts';
import { freshDatabase, testKafka, uniqueName } from '@switchboard/testing';
import { loadScenario, startSimulator, type ContactRecord, type RunningSimulator } from '@switchboard/pbx-simulator';
import { Pool } from 'pg';
import { startGateway, type GatewayRuntime } from '../gateway-runtime';
import { callerIdentifier } from '../pii/caller-identity';
import { contactsFrom, sequenceProblems, type CanonicalContact } from '../test-support/canonical-contacts';
import { readTopic, type TopicEvent as Ev } from '../test-support/read-topic';

jest.setTimeout(240_000);
const SCENARIO = join(__dirname, '../../../../tools/pbx-simulator/scenarios/small-test-day.json');


describe('AMI gateway against the PBX simulator', () => {
  let db: { url: string; drop: () => Promise<void> };
  let pool: Pool;
  let sim: RunningSimulator;
  let gateway: GatewayRuntime;
  const tenant = uniqueName('t').toLowerCase();
  const key = randomBytes(32).toString('hex');
  const secret = randomBytes(12).toString('hex');

  beforeAll(async () => {
    db = await freshDatabase('sb_gw');
    pool = new Pool({ connectionString: db.url, max: 4 });
    const base = await loadScenario(SCENARIO);
    const scenario = { ...base, durationHours: 3, callers: { ...base.callers, vipShare: 0.3 } };
    sim = await startSimulator({ scenario, seed: 7, speed: 'max', amiPort: 0, amiSecret: secret, autoStart: false });
    gateway = await startGateway({
      pool, kafka: testKafka('gw-it'), relayName: uniqueName('relay'),
      settings: { tenant, site: 'hq', callerHashKey: key, ami: {
        pbxLinkId: uniqueName('pbx'), host: '127.0.0.1', port: sim.amiPort!, username: 'switchboard', secret, keepaliveMs: 5000, ringCycleMs: 5000, defaultDialedNumber: '4008001234',
      } },
    });
    while (gateway.links[0].status().state !== 'up' || sim.progress().amiClients === 0) await new Promise((r) => setTimeout(r, 50));
    sim.start();
    await sim.done;
    // Everything received is committed and the outbox relay has drained it to Kafka.
    while (gateway.links[0].status().backlog > 0 || (await pool.query('select count(*)::int as n from es_outbox')).rows[0].n > 0) {
      await new Promise((r) => setTimeout(r, 200));
    }
  });

  afterAll(async () => {
    await gateway?.stop();
    await sim?.stop();
    await pool?.end();
    await db?.drop();
  });

  it('should publish every simulated contact once, with the ground-truth outcome, agent, rings, holds and durations', async () => {
    const truth = sim.groundTruth().filter((r): r is ContactRecord => r.kind === 'contact');
    const ended = (es: Ev[]) => es.filter((e) => /\.(answered|abandoned)\.v1$/.test(e.type)).length;
    const events = await readTopic(Topics.telephonyCall.name, tenant, (es) => ended(es) >= truth.length);
    expect(sequenceProblems(events)).toEqual([]);
    const contacts = contactsFrom(events);
    expect(contacts).toHaveLength(truth.length);
    const hash = callerIdentifier(key);
    const mismatches = truth.flatMap((t) => compare(t, contacts.filter((c) => c.callerHash === hash(t.callerNumber).hash && c.queue === t.queue && Math.abs(c.queuedAtMs - t.queuedAtMs) <= 1000)));
    expect(mismatches).toEqual([]);
    expect(tierMismatches(truth, contacts, events, hash)).toEqual([]);
    expect(truth.filter((t) => t.callerTier === 'vip').length).toBeGreaterThan(truth.length / 10);
    expect(JSON.stringify(events)).not.toContain(truth[0].callerNumber);
  });

  it('should archive every raw frame in arrival order per link', async () => {
    const link = gateway.links[0].status();
    expect(link.parseErrors).toBe(0);
    const { rows } = await pool.query<{ n: string }>('select count(*) as n from gw_caller_numbers');
    expect(Number(rows[0].n)).toBeGreaterThan(0);
    expect(link.framesCommitted).toBeGreaterThan(1000);
  });
});

function compare(t: ContactRecord, found: CanonicalContact[]): string[] {
  const id = `${t.contactId} (${t.outcome})`;
  if (found.length !== 1) return [`${id}: found ${found.length} canonical contacts`];
  const c = found[0];
  const problems: string[] = [];
  const near = (what: string, seconds: number | null | undefined, ms: number) => {
    if (seconds === null || seconds === undefined || Math.abs(seconds * 1000 - ms) > 1000) problems.push(`${id}: ${what} ${seconds}s vs ${ms}ms`);
  };
  const expectedOutcome = t.outcome === 'answered' ? 'answered' : 'abandoned';
  if (c.outcome !== expectedOutcome) problems.push(`${id}: outcome ${c.outcome}`);
  near('wait', c.waitSeconds, t.waitMs);
  if (t.outcome !== 'answered') return problems;
  if (c.agentId !== t.agentId) problems.push(`${id}: agent ${c.agentId} vs ${t.agentId}`);
  if (c.ringCount !== t.ringCount) problems.push(`${id}: rings ${c.ringCount} vs ${t.ringCount}`);
  if (c.holds !== t.holds.length) problems.push(`${id}: holds ${c.holds} vs ${t.holds.length}`);
  if (t.transfer === null && c.released !== null) {
    near('hold', c.released.totalHoldSeconds, t.holdMs);
    near('talk', c.released.talkSeconds - c.released.totalHoldSeconds, t.talkMs);
  }
  return problems;
}

/** Every contact carries its caller's SWITCHBOARD_CALLER_TIER on CallOffered and on its CallQueued, as the ground truth has it. */
function tierMismatches(
  truth: ContactRecord[], contacts: CanonicalContact[], events: { type: string; subject: string; time: string; data: Record<string, unknown> }[], hash: (n: string) => { hash: string },
): string[] {
  const tierOf = (kind: string, subject: string, atMs?: number) => events.find((e) => e.subject === subject && e.type.endsWith(`.${kind}.v1`) && (atMs === undefined || Math.abs(Date.parse(e.time) - atMs) < 1))?.data.callerTier ?? null;
  return truth.flatMap((t) => {
    const c = contacts.find((x) => x.callerHash === hash(t.callerNumber).hash && x.queue === t.queue && Math.abs(x.queuedAtMs - t.queuedAtMs) <= 1000);
    if (c === undefined) return [];
    const [offered, queued] = [tierOf('offered', c.callId), tierOf('queued', c.callId, c.queuedAtMs)];
    return offered === t.callerTier && queued === t.callerTier ? [] : [`${t.contactId}: tier ${String(offered)}/${String(queued)} vs ${String(t.callerTier)}`];
  });
}
