import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { dlqTopicOf, Topics, type AnyEvent } from '@switchboard/contracts';
import { eventually, uniqueName } from '@switchboard/testing';
import { loadScenario, startSimulator, type RunningSimulator } from '@switchboard/pbx-simulator';
import type { Pool } from 'pg';
import { startGateway, type GatewayRuntime } from '../gateway-runtime';
import { openExecutionHarness, type ExecutionHarness } from '../test-support/execution-harness';
import { assignmentEvent } from '../test-support/routing-events';

jest.setTimeout(120_000);
const SCENARIO = join(__dirname, '../../../../tools/pbx-simulator/scenarios/small-test-day.json');

describe('executing routing decisions on the PBX', () => {
  let h: ExecutionHarness;
  let pool: Pool;
  let sim: RunningSimulator;
  let gateway: GatewayRuntime;
  const tenant = uniqueName('t').toLowerCase();
  const secret = randomBytes(12).toString('hex');
  const assignmentTopic = uniqueName('it-gw-assignment');
  const pbxLinkId = uniqueName('pbx');

  beforeAll(async () => {
    h = await openExecutionHarness({ clientId: 'gw-exec-it', database: 'sb_gw_exec', assignmentTopic, topics: [assignmentTopic, dlqTopicOf(assignmentTopic)] });
    const { kafka } = h;
    ({ pool } = h);
    sim = await startSimulator({ scenario: await loadScenario(SCENARIO), seed: 11, speed: 20, routing: 'external', amiPort: 0, amiSecret: secret, autoStart: false });
    gateway = await startGateway({
      pool, kafka, relayName: uniqueName('relay'), assignmentGroupId: uniqueName('gw-assign'), topicOverrides: { [Topics.routingAssignment.name]: assignmentTopic },
      settings: { tenant, site: 'hq', callerHashKey: randomBytes(32).toString('hex'), ami: {
        pbxLinkId, host: '127.0.0.1', port: sim.amiPort!, username: 'switchboard', secret, keepaliveMs: 5000, ringCycleMs: 5000, defaultDialedNumber: '4008001234',
      } },
    });
    await eventually('AMI link up', async () => gateway.links[0].status().state === 'up' && sim.progress().amiClients > 0);
  });

  afterAll(async () => {
    await gateway?.stop();
    await sim?.stop();
    await h?.close();
  });

  const send = (events: AnyEvent[]) => h.send(events);
  const q = <T>(sql: string, params: unknown[] = []) => h.query<T>(sql, params);

  it('should redirect the caller to the assigned agent once, even when the assignment is delivered twice, and record failures', async () => {
    const start = sim.simulation.startMs;
    let waiting: { call_id: string; channel: string }[] = [];
    let ready: { subject: string; queues: string[] }[] = [];
    for (let t = start; waiting.length === 0 || ready.length === 0; t += 20_000) {
      sim.advanceTo(t);
      await gateway.links[0].pipeline.flush();
      await new Promise((r) => setTimeout(r, 50));
      await gateway.links[0].pipeline.flush();
      waiting = await q(`select c.call_id, c.channel from gw_call_channels c join gw_subject_state s on s.kind = 'call' and c.call_id = s.pbx_link_id || ':' || s.subject
        where s.state->>'status' = 'queued' and s.state->'ringing' = 'null'::jsonb`);
      ready = await q(`select subject, array(select jsonb_array_elements_text(state->'queues')) as queues from gw_subject_state
        where kind = 'agent' and state->>'status' = 'logged-in' and state->'current'->>'status' = 'ready'`);
      if (t - start > 3 * 3600_000) throw new Error('no waiting call with a ready agent in 3 simulated hours');
    }
    const call = waiting[0];
    const agent = ready[0].subject;
    const assignment = assignmentEvent(call.call_id, agent, 'sales', tenant);
    const unknownCall = assignmentEvent(`${pbxLinkId}:999999.1`, agent, 'sales', tenant);
    const otherLink = assignmentEvent('some-other-pbx:1.1', agent, 'sales', tenant);
    await send([assignment, assignment, unknownCall, otherLink]);
    await send([assignment]);

    await eventually('both assignments settled', async () =>
      (await q<{ n: number }>(`select count(*)::int as n from gw_assignment_executions where status <> 'executing'`))[0].n === 2);
    const rows = await q<{ event_id: string; status: string; reason: string | null; action: string | null }>('select event_id, status, reason, action from gw_assignment_executions order by received_at');
    expect(rows).toEqual([
      { event_id: assignment.id, status: 'executed', reason: null, action: `Action: Redirect\nChannel: ${call.channel}\nExten: ${agent}\nContext: agents\nPriority: 1` },
      { event_id: unknownCall.id, status: 'failed', reason: 'unknown call: no caller channel recorded', action: null },
    ]);
    // The simulator obeyed: the agent rings for that call (AgentCalled → CallRinging in the gateway's state).
    sim.advanceTo(sim.simulation.now + 1000);
    await eventually('the agent rings', async () => {
      await gateway.links[0].pipeline.flush();
      const [s] = await q<{ agent: string | null }>(`select state->'ringing'->>'agentId' as agent from gw_subject_state where kind = 'call' and pbx_link_id || ':' || subject = $1`, [call.call_id]);
      return s?.agent === agent;
    }, 10_000);
  });

  it('should record the PBX refusal when the agent is no longer available', async () => {
    const [busy] = await q<{ call_id: string; agent: string }>('select call_id, agent_id as agent from gw_assignment_executions where status = $1', ['executed']);
    // Another call still waiting (one no longer queued is rejected by the gateway without asking the PBX).
    const [other] = await q<{ call_id: string }>(`select c.call_id from gw_call_channels c join gw_subject_state s on s.kind = 'call' and c.call_id = s.pbx_link_id || ':' || s.subject
      where c.call_id <> $1 and s.state->>'status' = 'queued' limit 1`, [busy.call_id]);
    if (other === undefined) return;
    const second = assignmentEvent(other.call_id, busy.agent, 'sales', tenant);
    await send([second]);
    await eventually('refusal recorded', async () => (await q<{ status: string }>('select status from gw_assignment_executions where event_id = $1', [second.id]))[0]?.status === 'failed');
    const [row] = await q<{ reason: string }>('select reason from gw_assignment_executions where event_id = $1', [second.id]);
    expect(row.reason).toMatch(/^PBX: /);
  });
});
