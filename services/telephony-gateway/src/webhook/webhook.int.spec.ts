import { createHmac, randomBytes } from 'node:crypto';
import { systemEnvelopeDeps, Topics } from '@switchboard/contracts';
import { freshDatabase, testKafka, uniqueName } from '@switchboard/testing';
import { Pool } from 'pg';
import { startGateway, type GatewayRuntime } from '../gateway-runtime';
import { readTopic } from '../test-support/read-topic';
import { WEBHOOK_PATH } from './infrastructure/webhook-server';

jest.setTimeout(120_000);

describe('webhook adapter over real HTTP, Postgres and Kafka', () => {
  let db: { url: string; drop: () => Promise<void> };
  let pool: Pool;
  let gateway: GatewayRuntime;
  const tenant = uniqueName('t').toLowerCase();
  const secret = randomBytes(24).toString('hex');
  const callId = `${uniqueName('cti')}:1`;
  const url = () => `http://127.0.0.1:${gateway.webhook!.port}${WEBHOOK_PATH}`;
  const post = (body: unknown, headers: Record<string, string> = { authorization: `Bearer ${secret}` }) =>
    fetch(url(), { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const event = (type: string, data: Record<string, unknown>, id = systemEnvelopeDeps.newId()) =>
    ({ id, type: `switchboard.telephony.call.${type}.v1`, subject: callId, time: '2025-03-03T08:00:01.000Z', data: { callId, ...data } });
  const offered = event('offered', { pbxLinkId: 'cti', direction: 'inbound', channel: 'voice', callerHash: 'a'.repeat(64), callerMasked: '138****5678', dialedNumber: '4008001234' });
  const queued = event('queued', { queueId: 'sales', skillId: 'sales', position: 1, queueLength: 2 });

  beforeAll(async () => {
    db = await freshDatabase('sb_gw_wh');
    pool = new Pool({ connectionString: db.url, max: 4 });
    gateway = await startGateway({
      pool, kafka: testKafka('gw-wh-it'), relayName: uniqueName('relay'),
      settings: { tenant, site: 'hq', callerHashKey: 'k'.repeat(32), ami: null, webhook: { pbxLinkId: uniqueName('wh'), host: '127.0.0.1', port: 0, secret } },
    });
  });

  afterAll(async () => {
    await gateway?.stop();
    await pool?.end();
    await db?.drop();
  });

  it('should commit an accepted event before answering 202, once per client id, with gap-free sequences', async () => {
    const first = await post(offered);
    expect(first.status).toBe(202);
    expect(await first.json()).toEqual({ id: offered.id, sequence: 1, duplicate: false });
    expect((await pool.query('select sequence from gw_webhook_events where event_id = $1', [offered.id])).rows).toEqual([{ sequence: 1 }]);
    const body = JSON.stringify(queued);
    const signed = await post(body, { [`x-switchboard-signature`]: `sha256=${createHmac('sha256', secret).update(body).digest('hex')}` });
    expect(await signed.json()).toEqual({ id: queued.id, sequence: 2, duplicate: false });
    const again = await post(offered);
    expect([again.status, await again.json()]).toEqual([202, { id: offered.id, sequence: 1, duplicate: true }]);
    const events = await readTopic(Topics.telephonyCall.name, tenant, (es) => es.length >= 2, 30_000);
    expect(events.map((e) => [e.id, e.subject, e.sequence])).toEqual([[offered.id, callId, 1], [queued.id, callId, 2]]);
    // The CTI sent no queueVisit: the gateway counted this CallQueued as the call's first queue visit.
    expect(events[1].data).toMatchObject({ queueId: 'sales', queueVisit: 1 });
  });

  it('should answer 400 with the field errors of a malformed event, and for invalid JSON', async () => {
    const bad = await post(event('abandoned', { queueId: 'sales', waitSeconds: -1, position: 1, originalPosition: 1 }));
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ errors: [{ path: 'data.waitSeconds', message: expect.stringMatching(/greater or equal to 0/) }] });
    const garbage = await post('{"id":');
    expect([garbage.status, ((await garbage.json()) as { errors: { path: string }[] }).errors[0].path]).toEqual([400, '(root)']);
  });

  it('should answer 401 to a wrong token or signature and 413 above 1 MB, storing nothing', async () => {
    const before = (await pool.query('select count(*)::int as n from gw_webhook_events')).rows[0].n;
    expect((await post(event('queued', {}), { authorization: 'Bearer nope' })).status).toBe(401);
    expect((await post(event('queued', {}), { 'x-switchboard-signature': 'sha256=00' })).status).toBe(401);
    expect((await post({ ...queued, padding: 'x'.repeat(1024 * 1024) })).status).toBe(413);
    expect((await pool.query('select count(*)::int as n from gw_webhook_events')).rows[0].n).toBe(before);
  });
});
