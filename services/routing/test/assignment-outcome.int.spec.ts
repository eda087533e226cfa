// The gateway's outcome of routing's assignments, fed back through Kafka: a refused assignment puts the call back
// to waiting and holds the agent back for UNAVAILABLE_AGENT_HOLD_MS of event time; a late failure of an offer that
// is no longer current changes nothing.
import type { Admin, Kafka, Producer } from 'kafkajs';
import { Pool } from 'pg';
import { CallAssignedToAgent, CallReoffered, dlqTopicOf, type AnyEvent } from '@switchboard/contracts';
import { createIdempotentProducer } from '@switchboard/eventsourcing';
import { createTopics, freshDatabase, testKafka, uniqueName } from '@switchboard/testing';
import { composeRouting } from '../src/routing.composition';
import { startRoutingRuntime, type RoutingRuntime } from '../src/routing.runtime';
import { UNAVAILABLE_AGENT_HOLD_MS } from '../src/matching/domain/routing-engine';
import { TelephonyEvents, toMessages } from './telephony-events';
import { readEvents } from './kafka-read';

let kafka: Kafka;
let admin: Admin;
let producer: Producer;
let db: { url: string; drop: () => Promise<void> };
let pool: Pool;
let runtime: RoutingRuntime | undefined;
let topics = newTopics();

function newTopics() {
  return { call: uniqueName('it-outcome-call'), agent: uniqueName('it-outcome-agent'), assignment: uniqueName('it-outcome-assignment') };
}

beforeAll(async () => {
  kafka = testKafka();
  admin = kafka.admin();
  await admin.connect();
  producer = createIdempotentProducer(kafka);
  await producer.connect();
});

beforeEach(async () => {
  topics = newTopics();
  await createTopics(admin, [topics.call, topics.agent, topics.assignment, dlqTopicOf(topics.call), dlqTopicOf(topics.agent)]);
  db = await freshDatabase('sb_routing_outcome');
  pool = new Pool({ connectionString: db.url, max: 5 });
});

afterEach(async () => {
  await runtime?.stop();
  runtime = undefined;
  await pool?.end();
  await db?.drop();
});

async function startRouting() {
  const deps = await composeRouting(pool, { tenant: 'acme', site: 'nanchang', clock: () => Date.now(), assignmentTopic: topics.assignment });
  runtime = await startRoutingRuntime({ pool, kafka, producer, router: deps.router, configuration: deps.configuration, groupIdPrefix: uniqueName('routing'),
    topics: { telephony: [topics.call, topics.agent] }, clockTickMs: 200 });
}

afterAll(async () => {
  await producer?.disconnect();
  await admin?.disconnect();
});

const send = (topic: string, events: AnyEvent[]) => producer.send({ topic, acks: -1, messages: toMessages(events) });
const summary = (e: AnyEvent) => {
  const data = e.data as { agentId?: string; previousAgentId?: string; reason?: string };
  return [e.type, e.subject, data.agentId ?? data.previousAgentId, data.reason ?? null];
};

describe("routing from the gateway's assignment outcomes", () => {
  it('re-offers a refused assignment after the back-off, keeps the wait and ignores a stale failure', async () => {
    await startRouting();
    const ev = new TelephonyEvents(Date.parse('2026-03-02T09:00:00Z'));

    // A login alone makes the agent ready (the gateway's session starts ready).
    await send(topics.agent, [ev.agentLoggedIn('E1', ['billing'])]);
    await send(topics.call, [ev.callQueued('c1', 'billing')]);
    const [first] = await readEvents(kafka, topics.assignment, 1);
    expect(summary(first)).toEqual([CallAssignedToAgent.type, 'c1', 'E1', null]);

    await send(topics.call, [ev.assignmentFailed('c1', 'E1', first.id)]);
    const [, reoffered, again] = await readEvents(kafka, topics.assignment, 3);
    expect([summary(reoffered), summary(again)]).toEqual([[CallReoffered.type, 'c1', 'E1', 'assignment-failed'], [CallAssignedToAgent.type, 'c1', 'E1', null]]);
    // Not before the back-off (event time), and the wait still counts from the first queueing.
    expect(Date.parse(again.time) - Date.parse(reoffered.time)).toBeGreaterThanOrEqual(UNAVAILABLE_AGENT_HOLD_MS);
    expect((again.data as { waitSeconds: number }).waitSeconds).toBeGreaterThanOrEqual(UNAVAILABLE_AGENT_HOLD_MS / 1000 + 1);

    // The first offer's failure again (stale: the current offer is another one), then the second offer executed.
    await send(topics.call, [ev.assignmentFailed('c1', 'E1', first.id), ev.assignmentExecuted('c1', 'E1', again.id), ev.callAbandoned('c1', 'billing'), ev.callQueued('c2', 'billing')]);
    const all = await readEvents(kafka, topics.assignment, 4);
    expect(all.map(summary)[3]).toEqual([CallAssignedToAgent.type, 'c2', 'E1', null]);
    expect(all.filter((e) => e.subject === 'c1').length).toBe(3);
    const { rows } = await pool.query<{ n: number }>('select count(*)::int as n from routing_offer_events');
    expect(rows[0].n).toBe(3);
  });

  it('frees the agent at once when the call is not waiting, and offers the call again once the PBX queues it again', async () => {
    await startRouting();
    const ev = new TelephonyEvents(Date.parse('2026-03-02T09:00:00Z'));
    // E1 is only in sales at log-in; joining billing later makes the waiting billing call theirs.
    await send(topics.agent, [ev.agentLoggedIn('E1', ['sales'])]);
    await send(topics.call, [ev.callQueued('c1', 'billing')]);
    await send(topics.agent, [ev.queueMembershipChanged('E1', ['sales', 'billing'], ['billing'], [])]);
    const [first] = await readEvents(kafka, topics.assignment, 1);
    expect(summary(first)).toEqual([CallAssignedToAgent.type, 'c1', 'E1', null]);

    // The call, not the agent, is the problem: c1 is re-offered as call-not-waiting and waits, E1 takes the next call
    // at once (no 5 s hold).
    await send(topics.call, [ev.assignmentFailed('c1', 'E1', first.id, 'call-not-waiting'), ev.callQueued('c2', 'billing')]);
    const afterFailure = await readEvents(kafka, topics.assignment, 3);
    expect(afterFailure.map(summary)).toEqual(expect.arrayContaining([[CallReoffered.type, 'c1', 'E1', 'call-not-waiting'], [CallAssignedToAgent.type, 'c2', 'E1', null]]));
    const second = afterFailure.find((e) => e.type === CallAssignedToAgent.type && e.subject === 'c2')!;
    expect(Date.parse(second.time) - Date.parse(first.time)).toBeLessThan(UNAVAILABLE_AGENT_HOLD_MS);

    await send(topics.call, [ev.callAbandoned('c2', 'billing'), ev.callQueued('c1', 'billing')]);
    // Calls are keys on different partitions: decision time orders them.
    const all = (await readEvents(kafka, topics.assignment, 4)).filter((e) => e.type === CallAssignedToAgent.type).sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
    expect(all.map(summary)).toEqual([[CallAssignedToAgent.type, 'c1', 'E1', null], [CallAssignedToAgent.type, 'c2', 'E1', null], [CallAssignedToAgent.type, 'c1', 'E1', null]]);
    // c1 keeps its wait from the first queueing (t+2 s). E1 is free from c2's abandon (t+6 s) on, and c1 may be
    // offered either when its hold-back runs out on routing's clock or when its re-queueing (t+7 s) arrives, so the
    // wait is at least 4 s; a wait restarted at the re-queueing would be about 0.
    expect((all[2].data as { waitSeconds: number }).waitSeconds).toBeGreaterThanOrEqual(4);
  });
});
