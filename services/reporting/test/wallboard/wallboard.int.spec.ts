// The wallboard end to end in headless Chromium: contract events through Kafka into the real projections, the
// wallboard HTTP server (page + Connect endpoints) in-process, a supervisor token in the URL fragment. Checks real
// content in the DOM, a non-trivial screenshot, and that a new PBX event reaches the page within a second.
// As under `npm start`, the page opens while the read models are still being built, into a database recreated beside
// a broker that kept the projections' consumer groups, and agents join queues after logging in.
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import {
  AgentLoggedIn, AgentQueueMembershipChanged, AgentStateChanged, CallAbandoned, CallOffered, CallQueued, createEnvelope, encode, type AnyEvent, type DataOf, type EventDefinition,
} from '@switchboard/contracts';
import { createIdempotentProducer, deadLetterTopic, migrateEventStore } from '@switchboard/eventsourcing';
import { mintDevToken } from '@switchboard/service-kit';
import { createTopics, freshDatabase, testKafka, uniqueName } from '@switchboard/testing';
import type { Producer } from 'kafkajs';
import { Pool } from 'pg';
import { DEFAULT_KPI_PARAMETERS } from '../../src/kpis/domain/kpi';
import { type ProjectionHost, startProjections } from '../../src/projections/projection-host';
import { ReportReader } from '../../src/reports/application/report-reader';
import { migrateAgentDirectory, teamRefsOf, teamsOf } from '../../src/reports/infrastructure/agent-directory';
import { callDay } from '../../src/test-support/call-day.fixture';
import { envelope } from '../../src/wallboard/connect-protocol';
import { type RunningWallboard, startWallboard } from '../../src/wallboard/wallboard-server';
import { chromiumExecutable, HeadlessChromium, type Page } from './headless-chromium';
import { contentStats, decodePng } from './png';

const SECRET = 'wallboard-integration-secret-of-32-bytes!';

/** Runs before the page's own scripts: keeps every distinct status the page shows, from the first paint on. */
const RECORD_STATUSES = `window.__statuses = [];
new MutationObserver(() => {
  const s = document.getElementById('status');
  const seen = s && s.className + ' | ' + s.textContent;
  if (seen && window.__statuses[window.__statuses.length - 1] !== seen) window.__statuses.push(seen);
}).observe(document, { childList: true, subtree: true, characterData: true, attributes: true, attributeFilter: ['class'] });`;
const SCREENSHOT = path.resolve(__dirname, '../../../../.infra/test-artifacts/wallboard.png');

let idCounter = 0;
/** A contract-valid envelope from the gateway at an instant. */
function event<E extends EventDefinition>(def: E, subject: string, sequence: number, time: Date, data: DataOf<E>, tenant = 'acme'): AnyEvent {
  const id = `0190f3a2-5b1c-7f${(idCounter++).toString(16).padStart(2, '0')}-8a4e-2c0e9a1f7b33`;
  return createEnvelope(def, { service: 'telephony-gateway', site: 'nanchang', tenant, subject, sequence, id, time: time.toISOString(), data }) as unknown as AnyEvent;
}

describe('wallboard in headless Chromium', () => {
  const day = callDay();
  // The fixture day's clock, running from 09:46:00 (Asia/Shanghai) at real speed.
  const startedAt = Date.now();
  const now = () => new Date(day.at('09:46:00').getTime() + Date.now() - startedAt);
  const topics = { call: [uniqueName('it-wb-call')], agent: [uniqueName('it-wb-agent')] };
  let producer: Producer;
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let pool: Pool;
  let host: ProjectionHost;
  let wallboard: RunningWallboard;
  let browser: HeadlessChromium;
  let page: Page;
  const errors: unknown[] = [];
  const token = () => mintDevToken({ secret: SECRET, subject: 'duty-supervisor', roles: ['supervisor'], tenant: 'acme', siteIds: ['nanchang'], expiresIn: '10m' });
  const publish = (topic: string, events: AnyEvent[]) => producer.send({ topic, acks: -1, messages: events.map((e) => ({ key: e.subject, value: encode(e) })) });

  beforeAll(async () => {
    chromiumExecutable(); // fail first, with the install hint, when Chromium is missing
    const kafka = testKafka();
    producer = createIdempotentProducer(kafka);
    await producer.connect();
    const admin = kafka.admin();
    await admin.connect();
    const all = [...topics.call, ...topics.agent];
    await createTopics(admin, [...all, ...all.map(deadLetterTopic)], 1);
    await admin.disconnect();
    db = await freshDatabase();
    pool = new Pool({ connectionString: db.url, max: 6 });
    await migrateEventStore(pool);
    await migrateAgentDirectory(pool);
    await publish(topics.call[0], [...day.first, ...day.late]);
    // E2 signs in to billing, joins sales at 09:25 and goes busy (置忙) at 09:38: more than the 5-minute limit by 09:46.
    // E3 signs in to no queue and joins billing right after (the gateway reports AMI QueueMemberAdded this way), ready.
    await publish(topics.agent[0], [...day.agentEvents,
      event(AgentLoggedIn, 'E2', 1, day.at('09:20:00'), { agentId: 'E2', extension: '8013', pbxLinkId: 'nc1', queueIds: ['billing'] }),
      event(AgentQueueMembershipChanged, 'E2', 2, day.at('09:25:00'), { agentId: 'E2', extension: '8013', pbxLinkId: 'nc1', queueIds: ['billing', 'sales'], added: ['sales'], removed: [] }),
      event(AgentStateChanged, 'E2', 3, day.at('09:38:00'), { agentId: 'E2', extension: '8013', previous: { status: 'ready' }, current: { status: 'not-ready', reason: 'busy' }, previousStateSeconds: 1080 }),
      event(AgentLoggedIn, 'E3', 1, day.at('09:21:00'), { agentId: 'E3', extension: '8014', pbxLinkId: 'nc1', queueIds: [] }),
      event(AgentQueueMembershipChanged, 'E3', 2, day.at('09:21:05'), { agentId: 'E3', extension: '8014', pbxLinkId: 'nc1', queueIds: ['billing'], added: ['billing'], removed: [] }),
      event(AgentStateChanged, 'E3', 3, day.at('09:21:10'), { agentId: 'E3', extension: '8014', previous: { status: 'not-ready', reason: 'break' }, current: { status: 'ready' }, previousStateSeconds: 10 }),
    ]);
    // Another tenant on the same PBX site and the same queue name: a call abandoned in its billing at 09:05, a call
    // waiting in its billing and one in its vip queue, and an agent serving both (signed in after the 09:45 snapshot).
    // Its agent E1 shares an id with acme's E1 and signs in later, on a break in vip: acme's E1 stays on its call.
    await publish(topics.call[0], [
      event(CallOffered, 'gx-c3', 1, day.at('09:05:00'), { callId: 'gx-c3', pbxLinkId: 'gx', direction: 'inbound', channel: 'voice', callerHash: 'c'.repeat(64), callerMasked: '135****0000', dialedNumber: '95599' }, 'globex'),
      event(CallQueued, 'gx-c3', 2, day.at('09:05:00'), { callId: 'gx-c3', queueId: 'billing', skillId: 'billing', position: 1, queueLength: 1 }, 'globex'),
      event(CallAbandoned, 'gx-c3', 3, day.at('09:06:00'), { callId: 'gx-c3', queueId: 'billing', waitSeconds: 60, position: 1, originalPosition: 1 }, 'globex'),
      event(CallOffered, 'gx-c1', 1, day.at('09:43:00'), { callId: 'gx-c1', pbxLinkId: 'gx', direction: 'inbound', channel: 'voice', callerHash: 'e'.repeat(64), callerMasked: '137****0000', dialedNumber: '95599' }, 'globex'),
      event(CallQueued, 'gx-c1', 2, day.at('09:43:00'), { callId: 'gx-c1', queueId: 'billing', skillId: 'billing', position: 1, queueLength: 1 }, 'globex'),
      event(CallOffered, 'gx-c2', 1, day.at('09:44:00'), { callId: 'gx-c2', pbxLinkId: 'gx', direction: 'inbound', channel: 'voice', callerHash: 'd'.repeat(64), callerMasked: '136****0000', dialedNumber: '95599' }, 'globex'),
      event(CallQueued, 'gx-c2', 2, day.at('09:44:00'), { callId: 'gx-c2', queueId: 'vip', skillId: 'vip', position: 1, queueLength: 1 }, 'globex'),
    ]);
    await publish(topics.agent[0], [
      event(AgentLoggedIn, 'G1', 1, day.at('09:45:30'), { agentId: 'G1', extension: '9001', pbxLinkId: 'gx', queueIds: ['billing', 'vip'] }, 'globex'),
      event(AgentStateChanged, 'G1', 2, day.at('09:45:31'), { agentId: 'G1', extension: '9001', previous: { status: 'not-ready', reason: 'break' }, current: { status: 'ready' }, previousStateSeconds: 1 }, 'globex'),
      event(AgentLoggedIn, 'E1', 1, day.at('09:45:40'), { agentId: 'E1', extension: '9002', pbxLinkId: 'gx', queueIds: ['vip'] }, 'globex'),
      event(AgentStateChanged, 'E1', 2, day.at('09:45:41'), { agentId: 'E1', extension: '9002', previous: { status: 'ready' }, current: { status: 'not-ready', reason: 'break' }, previousStateSeconds: 1 }, 'globex'),
    ]);
    // An earlier reporting database consumed these topics under the same consumer groups, so the broker holds their
    // committed offsets at the end: the database the wallboard reads is a new one and must still be built from the start.
    const earlier = await freshDatabase();
    const earlierPool = new Pool({ connectionString: earlier.url, max: 4 });
    await migrateEventStore(earlierPool);
    const earlierHost = await startProjections({ kafka, pool: earlierPool, deadLetterProducer: producer, topics, chunkSize: 50, logger: { info: () => undefined } });
    await earlierHost.whenActive();
    await earlierHost.stop();
    await earlierPool.end();
    await earlier.drop();
    host = await startProjections({ kafka, pool, deadLetterProducer: producer, topics, chunkSize: 50, logger: { info: () => undefined } });
    const reader = new ReportReader(pool, { timeZone: 'Asia/Shanghai', parameters: DEFAULT_KPI_PARAMETERS });
    wallboard = await startWallboard({
      host: '127.0.0.1', port: 0, pool, auth: { key: { kind: 'hs256', secret: SECRET } }, timeZone: 'Asia/Shanghai', pollMs: 200,
      reporting: { reader, teamOf: (t, ids) => teamsOf(pool, t, ids), teamRefs: (t, ids) => teamRefsOf(pool, t, ids), lag: async () => 0, now },
      stateLimitSeconds: { busy: 300, break: 600 }, signInSnapshotTimes: ['09:00', '09:45', '14:00'], signInSnapshotGraceMinutes: 30,
      onError: (e) => errors.push(e),
    });
    browser = await HeadlessChromium.launch();
    // Opened at once, while the read models are still being built (as a supervisor does right after `npm start`).
    page = await browser.open(`${wallboard.url}#token=${await token()}`, { atDocumentStart: RECORD_STATUSES });
    await Promise.race([host.whenActive(), new Promise((_, reject) => setTimeout(() => reject(new Error('the projections never caught up')), 30_000))]);
    await wallboard.snapshots.takeDue(now());
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await wallboard?.close();
    await host?.stop();
    await producer?.disconnect();
    await pool?.end();
    await db?.drop();
  });

  const seconds = (mmss: string | null) => (mmss ?? '').split(':').reduce((acc, part) => acc * 60 + Number(part), 0);
  const since = (hhmmss: string) => (now().getTime() - day.at(hhmmss).getTime()) / 1000;
  const text = (selector: string) => `document.querySelector(${JSON.stringify(selector)})?.textContent ?? null`;

  it('should refuse the API without a token and show the page with one', async () => {
    const refused = await fetch(`${wallboard.url}switchboard.reporting.v1.ReportingService/GetRealtimeSnapshot`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ code: 'unauthenticated' });
    await page.waitFor(`document.querySelector('[data-queue="billing"]') && document.querySelector('[data-agent="E2"]') && document.querySelector('.chart-svg .bar-offered') && document.querySelector('[data-slot="09:45"].status-taken')`, 15_000);
  });

  it('should be live from the first frame on, never reconnecting, though it opened before the read models were built', async () => {
    await page.waitFor(`document.getElementById('status').classList.contains('live')`, 3000);
    const statuses = await page.evaluate<string[]>('window.__statuses');
    expect(statuses[0]).toBe('status connecting | 连接中 connecting…'); // recorded from the first paint
    expect(statuses.filter((s) => s.includes('reconnecting') || s.includes('down'))).toEqual([]);
    expect(statuses[statuses.length - 1]).toMatch(/^status live \| 实时 live/);
    expect(errors).toEqual([]);
  });

  it("should chart the day's intervals that had calls: bars of offered and answered per interval, this tenant's only", async () => {
    const bars = (kind: string) => `[...document.querySelectorAll('.chart-svg .bar-${kind}')].map((b) => b.dataset.interval + ' ' + b.dataset.value)`;
    // 09:00-09:30 offered c1, c3 and c2 (queued 09:29:50), answered c1 and c2; 09:30-10:00 offered c4 (abandoned)
    // by 09:46 — c5 still waits, c6 comes at 09:50, and globex's gx-c3 (09:05) is not this tenant's.
    expect(await page.evaluate(bars('offered'))).toEqual(['09:00 3', '09:30 1']);
    expect(await page.evaluate(bars('answered'))).toEqual(['09:00 2', '09:30 0']);
    expect(await page.evaluate(`document.querySelectorAll('.chart-svg .sl-dot').length`)).toBe(2);
  });

  it('should count agents by state per queue, with queues joined after log-in', async () => {
    const chips = (queue: string) => `Object.fromEntries([...document.querySelectorAll('[data-queue="${queue}"] .chip')]
      .map((c) => [c.dataset.testid.replace('agents-', ''), Number(c.textContent.split(' ').pop())]))`;
    // billing: E1 on a call (since 09:30:15), E2 busy, E3 ready; sales: E2 (joined at 09:25) busy.
    expect(await page.evaluate(chips('billing'))).toEqual({ ready: 1, 'on-call': 1, 'wrap-up': 0, 'not-ready': 1 });
    expect(await page.evaluate(chips('sales'))).toEqual({ ready: 0, 'on-call': 0, 'wrap-up': 0, 'not-ready': 1 });
    expect(await page.evaluate(`[...document.querySelectorAll('[data-queue]')].map((t) => t.dataset.queue)`)).toEqual(['billing', 'sales']);
  });

  it('should show real figures: the queue, its waiting calls, agents with time in state and the breach', async () => {
    expect(await page.evaluate(text('[data-queue="billing"] .queue-name'))).toBe('billing');
    // c5 queued at 09:45:00 and is still waiting; the fixture's 09:00-10:00 calls give 3 answered of 6 offered.
    expect(await page.evaluate(text('[data-queue="billing"] [data-testid="waiting"]'))).toBe('1');
    expect(seconds(await page.evaluate(text('[data-queue="billing"] [data-testid="longest-wait"]')))).toBeCloseTo(since('09:45:00'), -1);
    expect(await page.evaluate(text('[data-queue="billing"] [data-testid="answer-rate"]'))).toBe('50.0%');
    // E1 on a call since 09:30:15; E2 busy since 09:38:00, over the 5-minute limit.
    expect(seconds(await page.evaluate(text('[data-agent="E1"] [data-testid="time-in-state"]')))).toBeCloseTo(since('09:30:15'), -1);
    expect(await page.evaluate(`document.querySelector('[data-agent="E2"]').className`)).toContain('breach');
    expect(await page.evaluate(text('[data-agent="E2"] .agent-state'))).toContain('置忙');
    expect(await page.evaluate(`[...document.querySelectorAll('.snapshot')].map((s) => s.dataset.slot + ' ' + s.className.split('status-')[1])`))
      .toEqual(['09:00 missed', '09:45 taken', '14:00 pending']);
    expect(await page.evaluate(text('[data-slot="09:45"] .snap-total b'))).toBe('3');
    expect(await page.evaluate(`document.location.hash`)).toBe(''); // the token left the address bar
  });

  it('should take a screenshot with real content', async () => {
    // The site clock (Asia/Shanghai, from the server's as-of) and a live status, then the picture.
    await page.waitFor(`/^09:4\\d:\\d\\d$/.test(document.getElementById('clock').textContent) && document.getElementById('status').classList.contains('live')`, 3000);
    const png = await page.screenshot();
    fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    fs.writeFileSync(SCREENSHOT, png);
    expect(png.length).toBeGreaterThan(10_000);
    const img = decodePng(png);
    expect([img.width, img.height]).toEqual([1600, 1000]);
    const stats = contentStats(img);
    expect(stats.foregroundShare).toBeGreaterThan(0.05);
    expect(stats.colours).toBeGreaterThan(50);
  });

  it("should show a tenant's token only its own queue tiles, in the snapshot and the stream", async () => {
    const tokenOf = (tenant: string) => mintDevToken({ secret: SECRET, subject: `sup-${tenant}`, roles: ['supervisor'], tenant, siteIds: ['nanchang'], expiresIn: '10m' });
    type Tile = { queueId: string; waitingCalls: number; agentsReady?: number; today: { kpiId: string; value: number }[] };
    const tiles = (queues: Tile[]) => queues.map((q) => ({ queueId: q.queueId, waiting: q.waitingCalls, ready: q.agentsReady ?? 0,
      offered: q.today.find((k) => k.kpiId === 'offered')?.value ?? 0 }));
    const snapshot = async (tenant: string) => {
      const res = await post('switchboard.reporting.v1.ReportingService/GetRealtimeSnapshot', 'application/json', Buffer.from('{}'), await tokenOf(tenant));
      expect(res.status).toBe(200);
      return tiles((JSON.parse(res.body.toString('utf8')) as { snapshot: { queues: Tile[] } }).snapshot.queues);
    };
    // acme: its billing — c5 waiting, E1 on a call, E2 busy, E3 ready, offered today by 09:46: c1, c2, c3, c4 (c6 queues
    // at 09:50) — and sales (E2 busy); globex's calls and ready agent G1 are not in it
    const acme = [{ queueId: 'billing', waiting: 1, ready: 1, offered: 4 }, { queueId: 'sales', waiting: 0, ready: 0, offered: 0 }];
    expect(await snapshot('acme')).toEqual(acme);
    // globex: its own billing (gx-c3 abandoned, gx-c1 waiting, G1 ready) and vip (gx-c2 waiting, G1 ready), nothing of acme's day
    expect(await snapshot('globex')).toEqual([{ queueId: 'billing', waiting: 1, ready: 1, offered: 1 }, { queueId: 'vip', waiting: 1, ready: 1, offered: 0 }]);
    // The stream's first message (it ends with the connection: the test reads one message and closes)
    const stream = await post('switchboard.reporting.v1.ReportingService/WatchRealtime', 'application/connect+json', envelope(0, {}), await tokenOf('acme'), true);
    const first = JSON.parse(stream.body.subarray(5, 5 + stream.body.readUInt32BE(1)).toString('utf8')) as { snapshot: { queues: Tile[] } };
    expect(tiles(first.snapshot.queues)).toEqual(acme);
  });

  it("should keep each tenant's agent E1 on its own board: globex's E1 signing in later does not change acme's", async () => {
    const tokenOf = (tenant: string) => mintDevToken({ secret: SECRET, subject: `sup-${tenant}`, roles: ['supervisor'], tenant, siteIds: ['nanchang'], expiresIn: '10m' });
    type Agent = { agentId: string; tenant: string; state: string; reason: string; queueIds: string[] };
    const board = async (tenant: string) => {
      const res = await post('switchboard.reporting.wallboard.v1.WallboardService/WatchAgentBoard', 'application/connect+json', envelope(0, {}), await tokenOf(tenant), true);
      expect(res.status).toBe(200);
      const first = JSON.parse(res.body.subarray(5, 5 + res.body.readUInt32BE(1)).toString('utf8')) as { agents: Agent[] };
      return first.agents.map((a) => [a.agentId, a.tenant, a.state, a.reason, a.queueIds]);
    };
    expect(await board('acme')).toEqual(expect.arrayContaining([['E1', 'acme', 'on-call', '', ['billing']]]));
    expect((await board('acme')).map(([id]) => id)).toEqual(['E1', 'E2', 'E3']);
    expect(await board('globex')).toEqual([['E1', 'globex', 'not-ready', 'break', ['vip']], ['G1', 'globex', 'ready', '', ['billing', 'vip']]]);
    expect(await page.evaluate(`document.querySelector('[data-agent="E1"]')?.dataset.state`)).toBe('on-call');
  });

  /** One request on its own connection; `firstMessage`: return once one Connect envelope has arrived. */
  function post(route: string, contentType: string, body: Buffer, token: string, firstMessage = false): Promise<{ status: number; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const req = http.request(`${wallboard.url}${route}`, { method: 'POST', agent: false,
        headers: { 'content-type': contentType, authorization: `Bearer ${token}`, 'content-length': body.length } }, (res) => {
        let buf = Buffer.alloc(0);
        res.on('data', (chunk: Buffer) => {
          buf = Buffer.concat([buf, chunk]);
          if (firstMessage && buf.length >= 5 && buf.length >= 5 + buf.readUInt32BE(1)) {
            resolve({ status: res.statusCode ?? 0, body: buf });
            req.destroy();
          }
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: buf }));
        res.on('error', reject);
      });
      req.on('error', (e) => (firstMessage ? undefined : reject(e)));
      req.end(body);
    });
  }

  it('should update the page within a second of a new PBX event', async () => {
    const callId = 'nc1-c7';
    const at = now();
    await publish(topics.call[0], [
      event(CallOffered, callId, 1, at, { callId, pbxLinkId: 'nc1', direction: 'inbound', channel: 'voice', callerHash: 'f'.repeat(64), callerMasked: '139****0000', dialedNumber: '95598' }),
      event(CallQueued, callId, 2, at, { callId, queueId: 'billing', skillId: 'billing', position: 2, queueLength: 2 }),
    ]);
    await publish(topics.agent[0], [event(AgentStateChanged, 'E2', 4, at, {
      agentId: 'E2', extension: '8013', previous: { status: 'not-ready', reason: 'busy' }, current: { status: 'ready' }, previousStateSeconds: Math.round((at.getTime() - day.at('09:38:00').getTime()) / 1000) })]);
    const tile = await page.waitFor(`document.querySelector('[data-queue="billing"] [data-testid="waiting"]')?.textContent === '2'`, 5000, 10);
    const board = await page.waitFor(`document.querySelector('[data-agent="E2"]')?.dataset.state === 'ready'`, 5000, 10);
    expect(tile.ms).toBeLessThan(1000);
    expect(board.ms).toBeLessThan(1000);
    expect(await page.evaluate(`document.querySelector('[data-agent="E2"]').className`)).not.toContain('breach');
    expect(errors).toEqual([]);
  });
});
