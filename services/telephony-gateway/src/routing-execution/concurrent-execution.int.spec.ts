import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { CallAssignedToAgent, createEnvelope, dlqTopicOf, systemEnvelopeDeps, Topics, type AnyEvent } from '@switchboard/contracts';
import type { ConsumerRunner } from '@switchboard/eventsourcing';
import { eventually, uniqueName } from '@switchboard/testing';
import { loadScenario, startSimulator, type RunningSimulator } from '@switchboard/pbx-simulator';
import type { Pool } from 'pg';
import { startGateway, type GatewayRuntime } from '../gateway-runtime';
import { openExecutionHarness, type ExecutionHarness } from '../test-support/execution-harness';
import { readTopic, type TopicEvent } from '../test-support/read-topic';
import { assignmentEvent } from '../test-support/routing-events';
import { assignmentConsumer } from './infrastructure/assignment-consumer';
import { AssignmentExecutor, type ActionLink } from './infrastructure/assignment-executor';

jest.setTimeout(120_000);
const SCENARIO = join(__dirname, '../../../../tools/pbx-simulator/scenarios/small-test-day.json');

/** An assignment of a call that waited a fraction of a second over whole seconds (routing measures wait in ms). */
function assignmentAfterWaiting(callId: string, agentId: string, tenant: string, waitSeconds: number): AnyEvent {
  return createEnvelope(CallAssignedToAgent, {
    service: 'routing', site: 'hq', tenant, subject: callId, sequence: 2, time: new Date(),
    data: { callId, agentId, queueId: 'sales', skillId: 'queue:sales', step: 0, policyId: 'default', policyVersion: 1, waitSeconds,
      explanation: { strategy: 'longest-idle', summary: 'test', candidatesConsidered: 1, candidates: [] } },
  }, systemEnvelopeDeps) as unknown as AnyEvent;
}

/** One Redirect as the real AMI link carried it: which caller channel, when it was sent and when the PBX answered. */
interface SentAction { channel: string; sentAt: number; answeredAt: number }

describe('executing routing decisions of different calls at once, and of one call in order', () => {
  let h: ExecutionHarness;
  let pool: Pool;
  let sim: RunningSimulator;
  let gateway: GatewayRuntime;
  let runner: ConsumerRunner<AnyEvent>;
  const sent: SentAction[] = [];
  const tenant = uniqueName('t').toLowerCase();
  const secret = randomBytes(12).toString('hex');
  const assignmentTopic = uniqueName('it-gw-assign-conc');
  const callTopic = uniqueName('it-gw-call-conc');
  const pbxLinkId = uniqueName('pbx');

  beforeAll(async () => {
    h = await openExecutionHarness({ clientId: 'gw-conc-it', database: 'sb_gw_conc', assignmentTopic, topics: [assignmentTopic, dlqTopicOf(assignmentTopic), callTopic] });
    ({ pool } = h);
    sim = await startSimulator({ scenario: await loadScenario(SCENARIO), seed: 13, speed: 20, routing: 'external', amiPort: 0, amiSecret: secret, autoStart: false });
    // The gateway's own executor stays off: this suite runs the consumer over a link that records each action it carries.
    gateway = await startGateway({
      pool, kafka: h.kafka, relayName: uniqueName('relay'), topicOverrides: { [Topics.telephonyCall.name]: callTopic },
      settings: { tenant, site: 'hq', callerHashKey: randomBytes(32).toString('hex'), executeRoutingDecisions: false, ami: {
        pbxLinkId, host: '127.0.0.1', port: sim.amiPort!, username: 'switchboard', secret, keepaliveMs: 5000, ringCycleMs: 5000, defaultDialedNumber: '4008001234',
      } },
    });
    await eventually('AMI link up', async () => gateway.links[0].status().state === 'up' && sim.progress().amiClients > 0);
    const link = gateway.links[0];
    const recording: ActionLink = {
      config: link.config,
      send: async (action, timeoutMs) => {
        const entry = { channel: action.find(([k]) => k === 'Channel')![1], sentAt: performance.now(), answeredAt: Number.NaN };
        sent.push(entry);
        try { return await link.send(action, timeoutMs); } finally { entry.answeredAt = performance.now(); }
      },
    };
    const executor = new AssignmentExecutor(pool, [recording], 5000, (_id, s) => link.pipeline.settle(s));
    runner = assignmentConsumer({ kafka: h.kafka, pool, deadLetterProducer: h.producer, executor, topic: assignmentTopic, groupId: uniqueName('gw-assign'), concurrency: 4 });
    await runner.start();
  });

  afterAll(async () => {
    await runner?.stop();
    await gateway?.stop();
    await sim?.stop();
    await h?.close();
  });

  const q = <T>(sql: string, params: unknown[] = []) => h.query<T>(sql, params);
  const settledCount = async () => (await q<{ n: number }>(`select count(*)::int as n from gw_assignment_executions where status <> 'executing'`))[0].n;

  /** Advances the simulated day until `calls` callers wait in a queue (not ringing) and `agents` agents are ready. */
  async function waitingCallsAndReadyAgents(calls: number, agents: number) {
    const start = sim.simulation.startMs;
    for (let t = start; ; t += 20_000) {
      sim.advanceTo(t);
      await gateway.links[0].pipeline.flush();
      await new Promise((r) => setTimeout(r, 50));
      await gateway.links[0].pipeline.flush();
      const waiting = await q<{ call_id: string; channel: string }>(`select c.call_id, c.channel from gw_call_channels c join gw_subject_state s on s.kind = 'call' and c.call_id = s.pbx_link_id || ':' || s.subject
        where s.state->>'status' = 'queued' and s.state->'ringing' = 'null'::jsonb order by c.joined_at`);
      const ready = await q<{ subject: string }>(`select subject from gw_subject_state where kind = 'agent' and state->>'status' = 'logged-in' and state->'current'->>'status' = 'ready' order by subject`);
      if (waiting.length >= calls && ready.length >= agents) return { waiting: waiting.slice(0, calls), ready: ready.slice(0, agents).map((r) => r.subject) };
      if (t - start > 3 * 3600_000) throw new Error(`not ${calls} waiting calls with ${agents} ready agents in 3 simulated hours`);
    }
  }

  it('should send each assignment once, though delivered twice and republished, overlapping different calls and keeping one call\'s order', async () => {
    const { waiting: [c1, c2, c3], ready: [g1, g2, g3, g4] } = await waitingCallsAndReadyAgents(3, 4);
    const first = [assignmentEvent(c1.call_id, g1, 'sales', tenant), assignmentEvent(c2.call_id, g2, 'sales', tenant), assignmentEvent(c3.call_id, g3, 'sales', tenant)];
    // Routing changed its mind about c1 (published after the first): the PBX must see the first assignment first.
    const again = assignmentAfterWaiting(c1.call_id, g4, tenant, 12.75);
    await h.send([...first, first[0], again, first[1]]);
    await eventually('four assignments settled', async () => (await settledCount()) === 4, 30_000);
    await h.send(first); // republished, as a relay would after a crash
    await new Promise((r) => setTimeout(r, 2000));

    const rows = await q<{ event_id: string; status: string; reason: string | null }>('select event_id, status, reason from gw_assignment_executions');
    const byId = new Map(rows.map((r) => [r.event_id, r]));
    expect(rows).toHaveLength(4);
    expect(first.map((e) => byId.get(e.id)?.status)).toEqual(['executed', 'executed', 'executed']);
    expect(byId.get(again.id)).toMatchObject({ status: 'failed', reason: expect.stringMatching(/^PBX: .*not waiting/) });
    // At most once: one Redirect per assignment, none for the duplicates.
    expect(sent.map((s) => s.channel).sort()).toEqual([c1.channel, c1.channel, c2.channel, c3.channel].sort());
    // Different calls at once: some Redirect was sent before another one's answer came back.
    const overlapping = sent.some((a) => sent.some((b) => a !== b && b.sentAt < a.answeredAt && a.sentAt < b.answeredAt));
    expect(overlapping).toBe(true);
    // One call in order: the second Redirect of c1 left only after the PBX answered the first.
    const [c1First, c1Second] = sent.filter((s) => s.channel === c1.channel);
    expect(c1Second.sentAt).toBeGreaterThanOrEqual(c1First.answeredAt);

    const isOutcome = (e: TopicEvent) => e.type.includes('.assignment-');
    const events = await readTopic(callTopic, tenant, (es) => es.filter(isOutcome).length >= 4, 30_000);
    expect(events.filter(isOutcome)).toHaveLength(4);
    const call1 = events.filter((e) => e.subject === c1.call_id);
    expect(call1.filter(isOutcome).map((e) => [e.type.split('.')[3], e.data.assignmentEventId])).toEqual([['assignment-executed', first[0].id], ['assignment-failed', again.id]]);
    expect(call1.map((e) => e.sequence)).toEqual(call1.map((_, i) => i + 1));
  });
});
