// A gateway configured with an AMI and an event-socket link whose leases are held by different replicas: each link's
// assignments are consumed in a group of its own by the replica running that link, so every assignment is carried out
// once, by the holder of its call's link (with one shared consumer, the replica holding one link committed past the
// other link's assignments).
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { dlqTopicOf, Topics } from '@switchboard/contracts';
import { loadScenario, startSimulator, type RunningSimulator } from '@switchboard/pbx-simulator';
import { createTopics, eventually, freshDatabase, testKafka, uniqueName } from '@switchboard/testing';
import type { Producer } from 'kafkajs';
import { Client, Pool } from 'pg';
import { startGateway, type GatewayRuntime } from '../../src/gateway-runtime';
import { linkLeaseKey } from '../../src/link-lease/infrastructure/pg-advisory-lease';
import { assignmentGroupOf } from '../../src/routing-execution/infrastructure/link-assignments';
import { readTopic } from '../../src/test-support/read-topic';
import { assignmentEvent, kafkaMessages } from '../../src/test-support/routing-events';

jest.setTimeout(240_000);
const SCENARIO = join(__dirname, '../../../../tools/pbx-simulator/scenarios/small-test-day.json');
/** The first replica would take the event-socket lease back only after this: the second one is meant to get it. */
const SLOW_RETRY_MS = 60_000;
const FAST_RETRY_MS = 500;

describe('two replicas, each holding one of the gateway\'s two links', () => {
  const kafka = testKafka('gw-ha-la');
  let db: { url: string; drop: () => Promise<void> };
  let router: Producer;
  let ami: RunningSimulator;
  let fs: RunningSimulator;
  let first: GatewayRuntime;
  let second: GatewayRuntime;
  const pools: Pool[] = [];
  const tenant = uniqueName('t').toLowerCase();
  const secret = randomBytes(12).toString('hex');
  const assignmentTopic = uniqueName('ha-la-assign');
  const callTopic = uniqueName('ha-la-call');
  const groupPrefix = uniqueName('ha-la-group');
  const relayName = uniqueName('relay');
  const callerHashKey = randomBytes(32).toString('hex');
  const amiLinkId = uniqueName('pbx');
  const eslLinkId = uniqueName('fs');

  const start = (retryMs: number) => {
    const pool = new Pool({ connectionString: db.url, max: 4 });
    pools.push(pool);
    return startGateway({
      pool, kafka, relayName, assignmentGroupId: groupPrefix,
      topicOverrides: { [Topics.routingAssignment.name]: assignmentTopic, [Topics.telephonyCall.name]: callTopic },
      settings: {
        tenant, site: 'hq', callerHashKey, linkLeaseRetryMs: retryMs,
        ami: { pbxLinkId: amiLinkId, host: '127.0.0.1', port: ami.amiPort!, username: 'switchboard', secret, keepaliveMs: 5000, ringCycleMs: 5000, defaultDialedNumber: '4008001234' },
        esl: { pbxLinkId: eslLinkId, host: '127.0.0.1', port: fs.eslPort!, password: secret, keepaliveMs: 5000, ringCycleMs: 5000, defaultDialedNumber: '4008001234', redirectContext: 'agents' },
      },
    });
  };

  beforeAll(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await createTopics(admin, [assignmentTopic, dlqTopicOf(assignmentTopic), callTopic]);
    await admin.disconnect();
    router = kafka.producer();
    await router.connect();
    db = await freshDatabase('sb_gw_ha_la');
    const scenario = await loadScenario(SCENARIO);
    ami = await startSimulator({ scenario, seed: 21, speed: 20, routing: 'external', amiPort: 0, amiSecret: secret, autoStart: false });
    fs = await startSimulator({ scenario, seed: 22, speed: 20, routing: 'external', eslPort: 0, eslPassword: secret, autoStart: false });
    // The event-socket lease is held elsewhere while the first replica starts, so it runs the AMI link only …
    const blocker = new Client({ connectionString: db.url });
    await blocker.connect();
    await blocker.query('select pg_advisory_lock($1::bigint)', [linkLeaseKey(tenant, eslLinkId)]);
    first = await start(SLOW_RETRY_MS);
    second = await start(FAST_RETRY_MS);
    // … and once it is free, the second replica (asking more often) takes it.
    await blocker.end();
    await eventually('each replica runs one link', async () => first.links.length === 1 && second.eslLinks.length === 1
      && first.links[0].status().state === 'up' && second.eslLinks[0].status().state === 'up', 30_000);
  });

  afterAll(async () => {
    await first?.stop();
    await second?.stop();
    await ami?.stop();
    await fs?.stop();
    await Promise.all(pools.map((p) => p.end()));
    await router?.disconnect();
    await db?.drop();
  });

  const q = async <T>(sql: string, params: unknown[] = []) => (await pools[0].query(sql, params)).rows as T[];

  /** Advances a simulated PBX until a caller waits unoffered on the link and an agent there is ready. */
  async function waitingCallAndReadyAgent(sim: RunningSimulator, pbxLinkId: string, flush: () => Promise<void>) {
    const from = sim.simulation.startMs;
    for (let t = from; ; t += 20_000) {
      sim.advanceTo(t);
      await new Promise((r) => setTimeout(r, 50));
      await flush();
      const [call] = await q<{ call_id: string }>(`select c.call_id from gw_call_channels c join gw_subject_state s on s.kind = 'call' and c.call_id = s.pbx_link_id || ':' || s.subject
        where s.pbx_link_id = $1 and s.state->>'status' = 'queued' and s.state->'ringing' = 'null'::jsonb order by c.joined_at limit 1`, [pbxLinkId]);
      const [agent] = await q<{ subject: string }>(`select subject from gw_subject_state where pbx_link_id = $1 and kind = 'agent'
        and state->>'status' = 'logged-in' and state->'current'->>'status' = 'ready' order by subject limit 1`, [pbxLinkId]);
      if (call !== undefined && agent !== undefined) return { callId: call.call_id, agentId: agent.subject };
      if (t - from > 3 * 3600_000) throw new Error(`no waiting call with a ready agent on ${pbxLinkId} in 3 simulated hours`);
    }
  }

  it('should run each link\'s assignment consumer, in the link\'s own group, on the replica holding the link', async () => {
    expect([first.links.length, first.eslLinks.length, second.links.length, second.eslLinks.length]).toEqual([1, 0, 0, 1]);
    expect([...first.assignmentConsumers.keys()]).toEqual([amiLinkId]);
    await eventually('the second replica consumes its link\'s assignments', async () => second.assignmentConsumers.has(eslLinkId), 30_000);
    expect([...second.assignmentConsumers.keys()]).toEqual([eslLinkId]);
    const admin = kafka.admin();
    await admin.connect();
    try {
      await eventually('both link groups joined', async () => {
        const { groups } = await admin.describeGroups([assignmentGroupOf(groupPrefix, amiLinkId), assignmentGroupOf(groupPrefix, eslLinkId)]);
        return groups.every((g) => g.state === 'Stable' && g.members.length === 1);
      }, 60_000);
    } finally {
      await admin.disconnect();
    }
  });

  it('should carry out every assignment once, on the link of its call, by the replica holding that link', async () => {
    const onAmi = await waitingCallAndReadyAgent(ami, amiLinkId, () => first.links[0].pipeline.flush());
    const onEsl = await waitingCallAndReadyAgent(fs, eslLinkId, () => second.eslLinks[0].pipeline.flush());
    const toAmi = assignmentEvent(onAmi.callId, onAmi.agentId, 'sales', tenant);
    const toEsl = assignmentEvent(onEsl.callId, onEsl.agentId, 'sales', tenant);
    const unknownOnEsl = assignmentEvent(`${eslLinkId}:no-such-call`, onEsl.agentId, 'sales', tenant);
    const otherGateway = assignmentEvent('elsewhere:1.1', onAmi.agentId, 'sales', tenant);
    // Each delivered twice, interleaved across calls and links, as a republishing relay would.
    await router.send({ topic: assignmentTopic, acks: -1, messages: kafkaMessages([toEsl, toAmi, otherGateway, unknownOnEsl, toAmi, toEsl]) });

    await eventually('every assignment settled', async () =>
      (await q<{ n: number }>(`select count(*)::int as n from gw_assignment_executions where status <> 'executing'`))[0].n === 3, 60_000);
    const rows = await q<{ event_id: string; pbx_link_id: string; status: string; reason: string | null; action: string | null }>(
      'select event_id, pbx_link_id, status, reason, action from gw_assignment_executions order by event_id');
    const byId = new Map(rows.map((r) => [r.event_id, r]));
    expect(rows).toHaveLength(3);
    expect(byId.get(toAmi.id)).toMatchObject({ pbx_link_id: amiLinkId, status: 'executed', action: expect.stringContaining('Action: Redirect') });
    expect(byId.get(toEsl.id)).toMatchObject({ pbx_link_id: eslLinkId, status: 'executed', action: expect.stringMatching(/^api uuid_transfer /) });
    expect(byId.get(unknownOnEsl.id)).toMatchObject({ pbx_link_id: eslLinkId, status: 'failed', reason: 'unknown call: no caller channel recorded' });
    expect(byId.has(otherGateway.id)).toBe(false);

    // One outcome per assignment, in the call's sequence, published from the link that carried it out.
    const ids = [toAmi.id, toEsl.id, unknownOnEsl.id];
    // Read until all three are there and the topic has been quiet a while (anything published twice would follow).
    const events = await readTopic(callTopic, tenant, (es) => ids.every((id) => es.some((e) => e.data.assignmentEventId === id)), 30_000);
    const outcomes = events.filter((e) => e.type.includes('.assignment-'));
    expect(outcomes.map((e) => [e.data.assignmentEventId, e.type.split('.')[3], e.subject]).sort()).toEqual([
      [toAmi.id, 'assignment-executed', onAmi.callId], [toEsl.id, 'assignment-executed', onEsl.callId], [unknownOnEsl.id, 'assignment-failed', `${eslLinkId}:no-such-call`],
    ].sort());
    expect(outcomes.find((e) => e.data.assignmentEventId === toEsl.id)!.data.action).toBe('esl-transfer');
    expect(outcomes.find((e) => e.data.assignmentEventId === toAmi.id)!.data.action).toBe('redirect');
  });
});
