// Closed loop: simulator (external routing) → gateway → Kafka → routing (its own process) → Kafka → gateway → AMI
// Redirect → the simulator rings the agent. Checked against the simulator's ground truth.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { dlqTopicOf, Topics } from '@switchboard/contracts';
import { loadScenario, runOffline, startSimulator, type AgentIntervalRecord, type ContactRecord, type RunningSimulator } from '@switchboard/pbx-simulator';
import { startGateway, type GatewayRuntime } from '@switchboard/telephony-gateway';
import { createTopics, eventually, freshDatabase, killWorkers, spawnWorker, testInfra, testKafka, uniqueName } from '@switchboard/testing';
import { Pool } from 'pg';
import { idleBesideWaiting } from './closed-loop-idle';

jest.setTimeout(240_000);
const ROOT = join(__dirname, '../../..');
/**
 * Simulated seconds per wall second. The loop's wall latency counts × SPEED in simulated time against the PBX's 10 s
 * routing deadline: 20× leaves 500 ms wall for queued → executed on a shared, busy machine.
 */
const SPEED = 20;
/** Calls still waiting `routingDecisionTimeoutSeconds` (10 s simulated = 500 ms wall at 20×) after joining or a ring-no-answer. */
const MAX_MISSED_SHARE = 0.05;
/** Calls the PBX gave up waiting for a routing decision on (routingDecisionMissed), once membership changes are reported. */
const MAX_MISSED_DECISIONS = 10;
/** Routing's clock tick (wall ms): 50 ms wall = 1 s simulated at 20×, well inside the 5 s hold of a refused agent. */
const ROUTING_TICK_MS = 50;

type Ev = { id: string; type: string; subject: string; sequence: number; tenant: string; time: string; data: Record<string, unknown> };

async function readAll(topic: string): Promise<Ev[]> {
  const consumer = testKafka().consumer({ groupId: uniqueName('closed-loop-reader') });
  const events = new Map<string, Ev>();
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let last = Date.now();
  await consumer.run({ eachMessage: async ({ message }) => {
    const e = JSON.parse(message.value!.toString()) as Ev;
    events.set(e.id, e);
    last = Date.now();
  } });
  while (Date.now() - last < 3000) await new Promise((r) => setTimeout(r, 250));
  await consumer.disconnect();
  return [...events.values()];
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];

describe('closed loop: simulator → gateway → routing → gateway → simulator', () => {
  const topics = { call: uniqueName('cl-call'), agent: uniqueName('cl-agent'), assignment: uniqueName('cl-assignment') };
  const tenant = uniqueName('t').toLowerCase();
  const secret = randomBytes(12).toString('hex');
  let gwDb: { url: string; drop: () => Promise<void> };
  let routingDb: { url: string; drop: () => Promise<void> };
  let pool: Pool;
  let sim: RunningSimulator;
  let gateway: GatewayRuntime;

  afterAll(async () => {
    await gateway?.stop();
    killWorkers();
    await sim?.stop();
    await pool?.end();
    await gwDb?.drop();
    await routingDb?.drop();
  });

  it('should answer or abandon every call per ground truth, execute every decision at most once, and never keep a call waiting beside an eligible idle agent past the PBX deadline', async () => {
    const kafka = testKafka('closed-loop');
    const admin = kafka.admin();
    await admin.connect();
    await createTopics(admin, [topics.call, topics.agent, topics.assignment, dlqTopicOf(topics.call), dlqTopicOf(topics.agent), dlqTopicOf(topics.assignment)]);
    [gwDb, routingDb] = await Promise.all([freshDatabase('sb_cl_gw'), freshDatabase('sb_cl_routing')]);
    pool = new Pool({ connectionString: gwDb.url, max: 6 });
    const groupPrefix = uniqueName('cl-routing');
    spawnWorker(join(ROOT, 'services/routing/test/fixtures/routing-worker.ts'), {
      DATABASE_URL: routingDb.url, KAFKA_BROKERS: testInfra().brokers.join(','), ASSIGNMENT_TOPIC: topics.assignment, GROUP_PREFIX: groupPrefix,
      TELEPHONY_TOPICS: `${topics.call},${topics.agent}`, CLOCK_SPEED: String(SPEED), CLOCK_TICK_MS: String(ROUTING_TICK_MS),
    });
    const scenario = { ...(await loadScenario(join(ROOT, 'tools/pbx-simulator/scenarios/small-test-day.json'))), durationHours: 0.5 };
    sim = await startSimulator({ scenario, seed: 5, speed: SPEED, routing: 'external', amiPort: 0, amiSecret: secret, autoStart: false });
    const assignmentGroup = uniqueName('cl-gw-assign');
    const pbxLinkId = uniqueName('pbx');
    gateway = await startGateway({
      pool, kafka, relayName: uniqueName('relay'), assignmentGroupId: assignmentGroup,
      topicOverrides: { [Topics.telephonyCall.name]: topics.call, [Topics.telephonyAgent.name]: topics.agent, [Topics.routingAssignment.name]: topics.assignment },
      settings: { tenant, site: 'hq', callerHashKey: randomBytes(32).toString('hex'), ami: {
        pbxLinkId, host: '127.0.0.1', port: sim.amiPort!, username: 'switchboard', secret, keepaliveMs: 5000, ringCycleMs: 5000, defaultDialedNumber: '4008001234',
      } },
    });
    // Both consumer groups joined (routing's and the gateway's per-link one), so the first calls are not timed against start-up.
    await eventually('consumers joined', async () => {
      const { groups } = await admin.describeGroups([`${groupPrefix}.telephony`, `${assignmentGroup}.${pbxLinkId}`]);
      return gateway.links[0].status().state === 'up' && groups.every((g) => g.state === 'Stable');
    }, 60_000);
    await admin.disconnect();
    sim.start();
    await sim.done;
    // Let the last decisions and calls settle: the outbox drained, nothing executing.
    await eventually('gateway drained', async () => (await pool.query('select count(*)::int as n from es_outbox')).rows[0].n === 0, 30_000);

    const truth = sim.groundTruth().filter((r): r is ContactRecord => r.kind === 'contact');
    const calls = (await readAll(topics.call)).filter((e) => e.tenant === tenant);
    const decisions = await readAll(topics.assignment);
    const ended = (kind: string) => calls.filter((e) => e.type.endsWith(`.call.${kind}.v1`)).length;
    expect(truth.length).toBeGreaterThan(20);
    const outcomes = (o: ContactRecord['outcome']) => truth.filter((t) => t.outcome === o).length;
    expect({ answered: ended('answered'), abandoned: ended('abandoned'), timedOut: ended('queue-timed-out') })
      .toEqual({ answered: outcomes('answered'), abandoned: outcomes('abandoned'), timedOut: outcomes('timeout') });

    // Bound: a call also waits past the deadline when no agent is free. With the simulator's own (internal, instant)
    // routing, that many contacts of the same day wait longer than the deadline; the loop may add 5% of contacts.
    const timeoutMs = scenario.routingDecisionTimeoutSeconds * 1000;
    const baseline = runOffline(scenario, 5).records.filter((r): r is ContactRecord => r.kind === 'contact' && r.waitMs > timeoutMs).length;
    const missed = truth.filter((t) => t.routingDecisionMissed).length;
    const bound = baseline + Math.ceil(MAX_MISSED_SHARE * truth.length);

    // Never assigned twice: per call, an assignment follows a re-offer, or a fact that ended the previous offer without
    // one: the call answered, queued again (a later visit), or reported not waiting (CallAssignmentFailed
    // call-not-waiting: routing holds the call back without a re-offer event). Times are PBX event times on both sides.
    const notWaiting = new Set(calls.filter((e) => e.type.endsWith('.call.assignment-failed.v1') && e.data.failure === 'call-not-waiting').map((e) => e.data.assignmentEventId as string));
    const offerEnders = new Map<string, number[]>();
    for (const e of calls.filter((c) => /\.call\.(answered|queued)\.v1$/.test(c.type))) offerEnders.set(e.subject, [...(offerEnders.get(e.subject) ?? []), Date.parse(e.time)]);
    const endedBetween = (a: Ev, b: Ev) => notWaiting.has(a.id) || (offerEnders.get(a.subject) ?? []).some((t) => t >= Date.parse(a.time) && t <= Date.parse(b.time));
    const perCall = new Map<string, Ev[]>();
    for (const d of decisions) perCall.set(d.subject, [...(perCall.get(d.subject) ?? []), d]);
    const doubles = [...perCall].filter(([, ds]) => ds.sort((a, b) => a.sequence - b.sequence).filter((d) => /assignment\.(made|reoffered)/.test(d.type))
      .some((d, i, all) => i > 0 && d.type.endsWith('made.v1') && all[i - 1].type.endsWith('made.v1') && !endedBetween(all[i - 1], d)));
    expect(doubles).toEqual([]);
    // Every executed redirect rang the agent once: as many CallRinging events as executed assignments, per call.
    const { rows } = await pool.query<{ call_id: string; executed: number; failed: number }>(
      `select call_id, count(*) filter (where status = 'executed')::int as executed, count(*) filter (where status = 'failed')::int as failed from gw_assignment_executions group by call_id`);
    const ringing = new Map<string, number>();
    for (const e of calls.filter((c) => c.type.endsWith('.call.ringing.v1'))) ringing.set(e.subject, (ringing.get(e.subject) ?? 0) + 1);
    expect(rows.filter((r) => r.executed !== (ringing.get(r.call_id) ?? 0))).toEqual([]);
    const assignedEvents = decisions.filter((d) => d.type.endsWith('assignment.made.v1')).length;
    expect(rows.reduce((n, r) => n + r.executed + r.failed, 0)).toBe(assignedEvents);

    const lat = (await pool.query<{ ms: number }>(`select extract(epoch from finished_at - queued_at) * 1000 as ms from gw_assignment_executions
      where status = 'executed' and wait_seconds = 0 and queued_at is not null order by 1`)).rows.map((r) => Number(r.ms));
    const failed = rows.reduce((n, r) => n + r.failed, 0);
    const wallSeconds = (sim.simulation.now - sim.simulation.startMs) / 1000 / SPEED;
    console.log(`closed loop at ${SPEED}x: ${truth.length} contacts (${(truth.length / wallSeconds).toFixed(1)} calls/s wall), ${assignedEvents} assignments, ${failed} failed, ` +
      `${missed} routingDecisionMissed; queued-at-PBX → executed (assigned on arrival, n=${lat.length}): p50 ${percentile(lat, 0.5)?.toFixed(1)} ms, p99 ${percentile(lat, 0.99)?.toFixed(1)} ms`);
    const reasons = (await pool.query(`select reason, count(*)::int as n from gw_assignment_executions where status = 'failed' group by 1`)).rows;
    console.log(`assignments the PBX reported the call not waiting for: ${notWaiting.size}`);
    const types = [...new Set(decisions.map((d) => d.type))].map((t) => `${t.split('.')[3]}=${decisions.filter((d) => d.type === t).length}`);
    const agents = (await readAll(topics.agent)).filter((e) => e.tenant === tenant);
    const states = agents.map((e) => `${e.type.split('.')[3]}:${String((e.data.current as { status?: string } | undefined)?.status ?? '')}`);
    console.log(`decisions ${types.join(' ')}; failures ${JSON.stringify(reasons)}; agent events ${JSON.stringify(Object.fromEntries([...new Set(states)].map((k) => [k, states.filter((x) => x === k).length])))}`);
    expect(lat.length).toBeGreaterThan(0);

    // The loop's bound: no call waits while an agent routing may give it to sits ready for longer than the PBX allows
    // a routing decision (routingDecisionTimeoutSeconds, simulated). Eligible = member of the call's queue as the
    // gateway reported it (AgentLoggedIn.queueIds, then AgentQueueMembershipChanged: every queue an agent was ever
    // reported in); per the simulator's scenario, for comparison.
    const reported = new Map<string, Set<string>>();
    const membershipEvents = agents.filter((a) => /\.agent\.(logged-in|queue-membership-changed)\.v1$/.test(a.type));
    for (const e of membershipEvents) reported.set(e.subject, new Set([...(reported.get(e.subject) ?? []), ...(e.data.queueIds as string[])]));
    const membershipChanges = membershipEvents.filter((e) => e.type.endsWith('queue-membership-changed.v1')).length;
    const membersOf = (queue: string) => [...reported].filter(([, qs]) => qs.has(queue)).map(([a]) => a);
    const scenarioMembers = (queue: string) => [...reported.keys()].filter((a) => scenario.agentGroups.some((g) =>
      Number(a) >= g.firstExtension && Number(a) < g.firstExtension + g.count && queue in g.skills));
    const retryMsOf = (queue: string) => scenario.queues.find((q) => q.name === queue)!.retrySeconds * 1000;
    const intervals = sim.groundTruth().filter((r): r is AgentIntervalRecord => r.kind === 'agent-interval');
    const idle = idleBesideWaiting(truth, intervals, membersOf, retryMsOf).sort((a, b) => b.longestMs - a.longestMs);
    const idlePerScenario = idleBesideWaiting(truth, intervals, scenarioMembers, retryMsOf).filter((i) => i.longestMs > timeoutMs);
    console.log(`routingDecisionMissed ${missed} (bound ${bound} = ${baseline} internal-routing long waits + 5%); longest wait beside an eligible ready agent ` +
      `${(idle[0]?.longestMs ?? 0) / 1000} s simulated (bound ${timeoutMs / 1000} s): ${JSON.stringify(idle.slice(0, 3))}; ` +
      `per the scenario's membership (all queues an agent serves) ${idlePerScenario.length} contacts over the bound`);
    expect(idle.filter((i) => i.longestMs > timeoutMs)).toEqual([]);
    console.log(`membership changes reported: ${membershipChanges}; routingDecisionMissed ${missed} (limit ${MAX_MISSED_DECISIONS})`);
    // The gateway reports later queue joins (AgentQueueMembershipChanged), so routing knows every member of the
    // second queue (sales) and a call misses the PBX's routing deadline only when no member is free.
    expect(membershipChanges).toBeGreaterThan(0);
    expect(missed).toBeLessThanOrEqual(MAX_MISSED_DECISIONS);
  });
});
