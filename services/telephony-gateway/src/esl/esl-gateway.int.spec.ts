import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Topics } from '@switchboard/contracts';
import { freshDatabase, testKafka, uniqueName } from '@switchboard/testing';
import { loadScenario, startSimulator, type ContactRecord, type RunningSimulator } from '@switchboard/pbx-simulator';
import { Pool } from 'pg';
import { startGateway, type GatewayRuntime } from '../gateway-runtime';
import { callerIdentifier } from '../pii/caller-identity';
import { contactsFrom, sequenceProblems, type CanonicalContact } from '../test-support/canonical-contacts';
import { readTopic } from '../test-support/read-topic';
import { EslConnection } from './infrastructure/esl-connection';

jest.setTimeout(240_000);
const SCENARIO = join(__dirname, '../../../../tools/pbx-simulator/scenarios/small-test-day.json');
const until = async (ok: () => boolean | Promise<boolean>) => { while (!(await ok())) await new Promise((r) => setTimeout(r, 100)); };

describe('FreeSWITCH event-socket gateway against the PBX simulator', () => {
  let db: { url: string; drop: () => Promise<void> };
  let pool: Pool;
  let sim: RunningSimulator;
  let gateway: GatewayRuntime;
  const tenant = uniqueName('t').toLowerCase();
  const key = randomBytes(32).toString('hex');
  const password = randomBytes(12).toString('hex');

  beforeAll(async () => {
    db = await freshDatabase('sb_gw_esl');
    pool = new Pool({ connectionString: db.url, max: 4 });
    const base = await loadScenario(SCENARIO);
    const scenario = { ...base, durationHours: 3, callers: { ...base.callers, vipShare: 0.3 } };
    sim = await startSimulator({ scenario, seed: 11, speed: 'max', eslPort: 0, eslPassword: password, autoStart: false });
    gateway = await startGateway({
      pool, kafka: testKafka('gw-esl-it'), relayName: uniqueName('relay'),
      settings: { tenant, site: 'hq', callerHashKey: key, ami: null, esl: {
        pbxLinkId: uniqueName('fs'), host: '127.0.0.1', port: sim.eslPort!, password, keepaliveMs: 5000, ringCycleMs: 5000, defaultDialedNumber: '4008001234',
      } },
    });
    await until(() => gateway.eslLinks[0].status().state === 'up' && sim.progress().eslClients > 0);
    sim.start();
    await sim.done;
    await until(async () => gateway.eslLinks[0].status().backlog === 0 && (await pool.query('select count(*)::int as n from es_outbox')).rows[0].n === 0);
  });

  afterAll(async () => {
    await gateway?.stop();
    await sim?.stop();
    await pool?.end();
    await db?.drop();
  });

  it('should publish every simulated contact once with the ground-truth outcome, agent, rings and durations', async () => {
    const truth = sim.groundTruth().filter((r): r is ContactRecord => r.kind === 'contact');
    const ended = (es: { type: string }[]) => es.filter((e) => /\.(answered|abandoned)\.v1$/.test(e.type)).length;
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

  it('should keep agent sessions: logins, breaks and wrap-up from status and state changes', async () => {
    const events = await readTopic(Topics.telephonyAgent.name, tenant, (es) => es.length > 0);
    expect(sequenceProblems(events)).toEqual([]);
    const kinds = new Set(events.map((e) => e.type.split('.')[3]));
    expect([...kinds].sort()).toEqual(expect.arrayContaining(['logged-in', 'state-changed']));
    const wrapUps = events.filter((e) => e.type.endsWith('state-changed.v1') && (e.data.current as { status: string }).status === 'wrap-up');
    expect(wrapUps.length).toBeGreaterThan(0);
  });

  it('should archive every frame and drop none', async () => {
    const link = gateway.eslLinks[0].status();
    expect(link).toMatchObject({ state: 'up', parseErrors: 0, protocol: 'freeswitch-esl' });
    expect(link.framesCommitted).toBeGreaterThan(1000);
  });

  it('should report a wrong password and keep retrying with backoff', async () => {
    const downs: string[] = [];
    const c = new EslConnection({
      host: '127.0.0.1', port: sim.eslPort!, password: 'wrong', keepaliveMs: 5000, backoff: { initialMs: 50, maxMs: 200 },
      onReceived: () => undefined, onUp: () => undefined, onDown: (r) => downs.push(r),
    });
    c.start();
    await until(() => downs.length > 0 && c.lastError !== '');
    await c.stop();
    expect(downs[0]).toMatch(/auth failed: -ERR invalid|disconnect-notice/);
    expect(c.state).toBe('stopped');
  });
});

// ESL (CUSTOM callcenter::info) carries no hold events and does not say who hung up: talk includes hold time.
function compare(t: ContactRecord, found: CanonicalContact[]): string[] {
  const id = `${t.contactId} (${t.outcome})`;
  if (found.length !== 1) return [`${id}: found ${found.length} canonical contacts`];
  const c = found[0];
  const problems: string[] = [];
  const near = (what: string, seconds: number | null | undefined, ms: number) => {
    if (seconds === null || seconds === undefined || Math.abs(seconds * 1000 - ms) > 1000) problems.push(`${id}: ${what} ${seconds}s vs ${ms}ms`);
  };
  if (c.outcome !== (t.outcome === 'answered' ? 'answered' : 'abandoned')) problems.push(`${id}: outcome ${c.outcome}`);
  near('wait', c.waitSeconds, t.waitMs);
  if (t.outcome !== 'answered') return problems;
  if (c.agentId !== t.agentId) problems.push(`${id}: agent ${c.agentId} vs ${t.agentId}`);
  if (c.ringCount !== t.ringCount) problems.push(`${id}: rings ${c.ringCount} vs ${t.ringCount}`);
  if (t.transfer === null && c.released !== null) near('talk incl. hold', c.released.talkSeconds, t.talkMs + t.holdMs);
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
