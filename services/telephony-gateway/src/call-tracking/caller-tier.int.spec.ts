import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Topics } from '@switchboard/contracts';
import { freshDatabase, testKafka, uniqueName } from '@switchboard/testing';
import { loadScenario, startSimulator, type ContactRecord, type RunningSimulator } from '@switchboard/pbx-simulator';
import { Pool } from 'pg';
import { Registry } from 'prom-client';
import { startGateway, type GatewayRuntime } from '../gateway-runtime';
import { readTopic } from '../test-support/read-topic';

jest.setTimeout(240_000);
const SCENARIO = join(__dirname, '../../../../tools/pbx-simulator/scenarios/small-test-day.json');
const until = async (ok: () => boolean | Promise<boolean>) => { while (!(await ok())) await new Promise((r) => setTimeout(r, 100)); };

describe('A dial plan that sets an invalid SWITCHBOARD_CALLER_TIER (AMI, PBX simulator)', () => {
  let db: { url: string; drop: () => Promise<void> };
  let pool: Pool;
  let sim: RunningSimulator;
  let gateway: GatewayRuntime;
  const metrics = new Registry();
  const logged: { message: string; detail?: Record<string, unknown> }[] = [];
  const tenant = uniqueName('t').toLowerCase();
  const secret = randomBytes(12).toString('hex');

  beforeAll(async () => {
    db = await freshDatabase('sb_gw_tier');
    pool = new Pool({ connectionString: db.url, max: 4 });
    const base = await loadScenario(SCENARIO);
    const scenario = { ...base, durationHours: 1, callers: { ...base.callers, vipShare: 0.4, tierValue: 'Gold Member!' } };
    sim = await startSimulator({ scenario, seed: 5, speed: 'max', amiPort: 0, amiSecret: secret, autoStart: false });
    gateway = await startGateway({
      pool, kafka: testKafka('gw-tier-it'), relayName: uniqueName('relay'), metrics, log: (_level, message, detail) => logged.push({ message, detail }),
      settings: { tenant, site: 'hq', callerHashKey: randomBytes(32).toString('hex'), ami: {
        pbxLinkId: uniqueName('pbx'), host: '127.0.0.1', port: sim.amiPort!, username: 'switchboard', secret, keepaliveMs: 5000, ringCycleMs: 5000, defaultDialedNumber: '4008001234',
      } },
    });
    await until(() => gateway.links[0].status().state === 'up' && sim.progress().amiClients > 0);
    sim.start();
    await sim.done;
    await until(async () => gateway.links[0].status().backlog === 0 && (await pool.query('select count(*)::int as n from es_outbox')).rows[0].n === 0);
  });

  afterAll(async () => {
    await gateway?.stop();
    await sim?.stop();
    await pool?.end();
    await db?.drop();
  });

  it('should publish every call, none with a tier, and count and sample the invalid values', async () => {
    const truth = sim.groundTruth().filter((r): r is ContactRecord => r.kind === 'contact');
    const tagged = truth.filter((t) => t.callerTier === 'Gold Member!');
    expect(tagged.length).toBeGreaterThan(5);
    const events = await readTopic(Topics.telephonyCall.name, tenant, (es) => es.filter((e) => e.type.endsWith('.queued.v1')).length >= truth.length);
    expect(events.filter((e) => e.type.endsWith('.queued.v1'))).toHaveLength(truth.length);
    expect(events.filter((e) => 'callerTier' in e.data)).toEqual([]);
    const invalid = (await metrics.getSingleMetric('gateway_parse_errors_total')!.get()).values.filter((v) => v.labels.kind === 'invalid-caller-tier');
    expect(invalid.reduce((n, v) => n + v.value, 0)).toBe(tagged.length);
    expect(logged.filter((l) => l.message.startsWith('invalid SWITCHBOARD_CALLER_TIER'))).toEqual([expect.objectContaining({ detail: expect.objectContaining({ sample: 'Gold Member!' }) })]);
  });
});
