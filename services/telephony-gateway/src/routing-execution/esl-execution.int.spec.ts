import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { dlqTopicOf, Topics, type AnyEvent } from '@switchboard/contracts';
import { eventually, uniqueName } from '@switchboard/testing';
import { loadScenario, startSimulator, type RunningSimulator } from '@switchboard/pbx-simulator';
import type { Pool } from 'pg';
import { startGateway, type GatewayRuntime } from '../gateway-runtime';
import { openExecutionHarness, type ExecutionHarness } from '../test-support/execution-harness';
import { readTopic } from '../test-support/read-topic';
import { assignmentEvent } from '../test-support/routing-events';

jest.setTimeout(120_000);
const SCENARIO = join(__dirname, '../../../../tools/pbx-simulator/scenarios/small-test-day.json');

describe('executing routing decisions on FreeSWITCH (event socket, uuid_transfer)', () => {
  let h: ExecutionHarness;
  let pool: Pool;
  let sim: RunningSimulator;
  let gateway: GatewayRuntime;
  const tenant = uniqueName('t').toLowerCase();
  const password = randomBytes(12).toString('hex');
  const assignmentTopic = uniqueName('it-gw-esl-assignment');
  const pbxLinkId = uniqueName('fs');

  beforeAll(async () => {
    h = await openExecutionHarness({ clientId: 'gw-esl-exec-it', database: 'sb_gw_esl_exec', assignmentTopic, topics: [assignmentTopic, dlqTopicOf(assignmentTopic)] });
    const { kafka } = h;
    ({ pool } = h);
    sim = await startSimulator({ scenario: await loadScenario(SCENARIO), seed: 11, speed: 20, routing: 'external', eslPort: 0, eslPassword: password, autoStart: false });
    // Only an event-socket link: the assignment consumer starts for it alone.
    gateway = await startGateway({
      pool, kafka, relayName: uniqueName('relay'), assignmentGroupId: uniqueName('gw-assign'), topicOverrides: { [Topics.routingAssignment.name]: assignmentTopic },
      settings: { tenant, site: 'hq', callerHashKey: randomBytes(32).toString('hex'), ami: null, esl: {
        pbxLinkId, host: '127.0.0.1', port: sim.eslPort!, password, keepaliveMs: 5000, ringCycleMs: 5000, defaultDialedNumber: '4008001234', redirectContext: 'agents',
      } },
    });
    await eventually('event-socket link up', async () => gateway.eslLinks[0].status().state === 'up' && sim.progress().eslClients > 0);
  });

  afterAll(async () => {
    await gateway?.stop();
    await sim?.stop();
    await h?.close();
  });

  const send = (events: AnyEvent[]) => h.send(events);
  const q = <T>(sql: string, params: unknown[] = []) => h.query<T>(sql, params);
  const settled = (id: string) => eventually(`assignment ${id} settled`, async () => {
    const [r] = await q<{ status: string }>('select status from gw_assignment_executions where event_id = $1', [id]);
    return r !== undefined && r.status !== 'executing';
  }, 20_000);
  const row = async (id: string) => (await q<{ status: string; reason: string | null; action: string | null }>('select status, reason, action from gw_assignment_executions where event_id = $1', [id]))[0];
  const outcomes = async (ids: string[]) => {
    const events = await readTopic(Topics.telephonyCall.name, tenant, (es) => ids.every((id) => es.some((e) => e.data.assignmentEventId === id)), 30_000);
    return ids.map((id) => events.find((e) => e.data.assignmentEventId === id));
  };

  it('should transfer the waiting caller session to the assigned agent with uuid_transfer, and the agent rings', async () => {
    const start = sim.simulation.startMs;
    let waiting: { call_id: string; channel: string }[] = [];
    let ready: { subject: string }[] = [];
    for (let t = start; waiting.length === 0 || ready.length === 0; t += 20_000) {
      sim.advanceTo(t);
      await new Promise((r) => setTimeout(r, 50));
      await gateway.eslLinks[0].pipeline.flush();
      waiting = await q(`select c.call_id, c.channel from gw_call_channels c join gw_subject_state s on s.kind = 'call' and c.call_id = s.pbx_link_id || ':' || s.subject
        where s.state->>'status' = 'queued' and s.state->'ringing' = 'null'::jsonb`);
      ready = await q(`select subject from gw_subject_state where kind = 'agent' and state->>'status' = 'logged-in' and state->'current'->>'status' = 'ready'`);
      if (t - start > 3 * 3600_000) throw new Error('no waiting call with a ready agent in 3 simulated hours');
    }
    const call = waiting[0];
    const agent = ready[0].subject;
    const assignment = assignmentEvent(call.call_id, agent, 'sales', tenant);
    await send([assignment]);
    await settled(assignment.id);
    expect(await row(assignment.id)).toEqual({ status: 'executed', reason: null, action: `api uuid_transfer ${call.channel} ${agent} XML agents` });

    // The simulator obeyed: mod_callcenter offers the call to that agent (agent-offering → CallRinging in the gateway's state).
    sim.advanceTo(sim.simulation.now + 1000);
    await eventually('the agent rings', async () => {
      await gateway.eslLinks[0].pipeline.flush();
      const [s] = await q<{ agent: string | null }>(`select state->'ringing'->>'agentId' as agent from gw_subject_state where kind = 'call' and pbx_link_id || ':' || subject = $1`, [call.call_id]);
      return s?.agent === agent;
    }, 10_000);

    // The same call assigned again while it rings: FreeSWITCH (the simulator) refuses, the call is not waiting.
    const again = assignmentEvent(call.call_id, ready[1]?.subject ?? agent, 'sales', tenant);
    await send([again]);
    await settled(again.id);
    expect(await row(again.id)).toMatchObject({ status: 'failed', reason: expect.stringMatching(/^PBX: .*not waiting/) });
    expect(await outcomes([assignment.id, again.id])).toEqual([
      expect.objectContaining({ type: 'switchboard.telephony.call.assignment-executed.v1', subject: call.call_id, data: expect.objectContaining({ action: 'esl-transfer' }) }),
      expect.objectContaining({ type: 'switchboard.telephony.call.assignment-failed.v1', subject: call.call_id, data: expect.objectContaining({ failure: 'call-not-waiting' }) }),
    ]);
  });
});
