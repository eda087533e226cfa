import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { CallAssignedToAgent, createEnvelope, dlqTopicOf, systemEnvelopeDeps, Topics, type AnyEvent } from '@switchboard/contracts';
import { eventually, uniqueName } from '@switchboard/testing';
import { loadScenario, startSimulator, type RunningSimulator } from '@switchboard/pbx-simulator';
import type { Pool } from 'pg';
import { startGateway, type GatewayRuntime } from '../gateway-runtime';
import { openExecutionHarness, type ExecutionHarness } from '../test-support/execution-harness';
import { readTopic, type TopicEvent } from '../test-support/read-topic';
import { AssignmentExecutor } from './infrastructure/assignment-executor';

jest.setTimeout(120_000);
const SCENARIO = join(__dirname, '../../../../tools/pbx-simulator/scenarios/small-test-day.json');

/** Routing's decision as routing publishes it, in a correlation of its own (the gateway carries it on). */
function assignment(callId: string, agentId: string, tenant: string): AnyEvent {
  return createEnvelope(CallAssignedToAgent, {
    service: 'routing', site: 'hq', tenant, subject: callId, sequence: 1, time: new Date(), correlationid: `corr-${uniqueName('a')}`,
    data: { callId, agentId, queueId: 'sales', skillId: 'queue:sales', step: 0, policyId: 'default', policyVersion: 1, waitSeconds: 0,
      explanation: { strategy: 'longest-idle', summary: 'test', candidatesConsidered: 1, candidates: [] } },
  }, systemEnvelopeDeps) as unknown as AnyEvent;
}

describe('the outcome of each routing assignment, published in the call\'s own sequence', () => {
  let h: ExecutionHarness;
  let pool: Pool;
  let sim: RunningSimulator;
  let gateway: GatewayRuntime;
  const tenant = uniqueName('t').toLowerCase();
  const secret = randomBytes(12).toString('hex');
  const assignmentTopic = uniqueName('it-gw-assign-out');
  const callTopic = uniqueName('it-gw-call-out');
  const pbxLinkId = uniqueName('pbx');

  beforeAll(async () => {
    h = await openExecutionHarness({ clientId: 'gw-outcome-it', database: 'sb_gw_outcome', assignmentTopic, topics: [assignmentTopic, dlqTopicOf(assignmentTopic), callTopic] });
    const { kafka } = h;
    ({ pool } = h);
    sim = await startSimulator({ scenario: await loadScenario(SCENARIO), seed: 12, speed: 20, routing: 'external', amiPort: 0, amiSecret: secret, autoStart: false });
    gateway = await startGateway({
      pool, kafka, relayName: uniqueName('relay'), assignmentGroupId: uniqueName('gw-assign'),
      topicOverrides: { [Topics.routingAssignment.name]: assignmentTopic, [Topics.telephonyCall.name]: callTopic },
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

  const q = <T>(sql: string, params: unknown[] = []) => h.query<T>(sql, params);
  const outcomes = (events: TopicEvent[]) => events.filter((e) => e.type.includes('.assignment-'));

  it('should publish CallAssignmentExecuted once (delivered twice) and CallAssignmentFailed for an unknown call, caused by the assignment', async () => {
    const start = sim.simulation.startMs;
    let waiting: { call_id: string }[] = [];
    let ready: { subject: string }[] = [];
    for (let t = start; waiting.length === 0 || ready.length === 0; t += 20_000) {
      sim.advanceTo(t);
      await gateway.links[0].pipeline.flush();
      await new Promise((r) => setTimeout(r, 50));
      await gateway.links[0].pipeline.flush();
      waiting = await q(`select c.call_id from gw_call_channels c join gw_subject_state s on s.kind = 'call' and c.call_id = s.pbx_link_id || ':' || s.subject
        where s.state->>'status' = 'queued' and s.state->'ringing' = 'null'::jsonb`);
      ready = await q(`select subject from gw_subject_state where kind = 'agent' and state->>'status' = 'logged-in' and state->'current'->>'status' = 'ready'`);
      if (t - start > 3 * 3600_000) throw new Error('no waiting call with a ready agent in 3 simulated hours');
    }
    const callId = waiting[0].call_id;
    const assigned = assignment(callId, ready[0].subject, tenant);
    const unknown = assignment(`${pbxLinkId}:999999.1`, ready[0].subject, tenant);
    await h.send([assigned, assigned, unknown]);
    await eventually('both settled', async () => (await q<{ n: number }>(`select count(*)::int as n from gw_assignment_executions where status <> 'executing'`))[0].n === 2);
    sim.advanceTo(sim.simulation.now + 1000);
    await gateway.links[0].pipeline.flush();

    const events = await readTopic(callTopic, tenant, (es) => outcomes(es).length >= 2 && es.some((e) => e.subject === callId && e.type.endsWith('.ringing.v1')), 30_000);
    // Different calls: their outcomes may come in either order (their assignments are carried out at once).
    const byType = (es: TopicEvent[]) => [...es].sort((x, y) => x.type.localeCompare(y.type));
    expect(byType(outcomes(events)).map((e) => [e.type, e.subject, (e as TopicEvent & { causationid: string }).causationid])).toEqual([
      ['switchboard.telephony.call.assignment-executed.v1', callId, assigned.id],
      ['switchboard.telephony.call.assignment-failed.v1', unknown.subject, unknown.id],
    ]);
    const [executed, failed] = byType(outcomes(events)) as (TopicEvent & { correlationid: string })[];
    expect(executed.correlationid).toBe(assigned.correlationid);
    expect(executed.data).toMatchObject({ callId, agentId: ready[0].subject, assignmentEventId: assigned.id, pbxLinkId, action: 'redirect' });
    expect(executed.data.queuedToExecutedMs).toBeGreaterThanOrEqual(0);
    expect(failed.data).toMatchObject({ failure: 'unknown-call', reason: 'unknown call: no caller channel recorded' });
    expect(failed.sequence).toBe(1);
    // One subject, one gap-free sequence shared with the PBX's events (the agent may ring before the PBX's answer is read).
    const call = events.filter((e) => e.subject === callId);
    expect(call.map((e) => e.sequence)).toEqual(call.map((_, i) => i + 1));
    expect(call.map((e) => e.type.split('.')[3])).toEqual(expect.arrayContaining(['offered', 'queued', 'assignment-executed', 'ringing']));
    expect(Date.parse(executed.time)).toBeLessThan(Date.UTC(2030, 0, 1)); // PBX (simulated) time, not the gateway's clock
  });

  it('should report an assignment a stop interrupted as failed with an unknown outcome, in the same transaction as its row', async () => {
    const [busy] = await q<{ call_id: string; agent_id: string }>(`select call_id, agent_id from gw_assignment_executions where status = 'executed'`);
    const interrupted = assignment(busy.call_id, busy.agent_id, tenant);
    await pool.query(`insert into gw_assignment_executions (event_id, call_id, agent_id, pbx_link_id, queue_id, wait_seconds, status)
      values ($1, $2, $3, $4, 'sales', 0, 'executing')`, [interrupted.id, busy.call_id, busy.agent_id, pbxLinkId]);
    const link = gateway.links[0];
    const restarted = new AssignmentExecutor(pool, gateway.links, 5000, (_id, s) => link.pipeline.settle(s));
    expect(await restarted.settleInterrupted()).toBe(1);
    expect(await q('select status, reason from gw_assignment_executions where event_id = $1', [interrupted.id]))
      .toEqual([{ status: 'failed', reason: 'outcome unknown: gateway stopped while executing' }]);
    const events = await readTopic(callTopic, tenant, (es) => es.some((e) => e.data.assignmentEventId === interrupted.id), 30_000);
    const lost = events.find((e) => e.data.assignmentEventId === interrupted.id)!;
    expect(lost).toMatchObject({ type: 'switchboard.telephony.call.assignment-failed.v1', subject: busy.call_id, data: { failure: 'outcome-unknown' } });
    const call = events.filter((e) => e.subject === busy.call_id);
    expect(call.map((e) => e.sequence)).toEqual(call.map((_, i) => i + 1));
    expect(await restarted.settleInterrupted()).toBe(0);
  });
});
