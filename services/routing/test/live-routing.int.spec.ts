// Live state from telephony events end to end, in process: contract envelopes on (test-named) telephony topics ->
// consumer -> engine -> decision streams + outbox -> relay -> the assignment topic.
import type { Admin, Kafka, Producer } from 'kafkajs';
import { Pool } from 'pg';
import { CallAssignedToAgent, CallReoffered, dlqTopicOf, type AnyEvent } from '@switchboard/contracts';
import { createIdempotentProducer } from '@switchboard/eventsourcing';
import { createTopics, freshDatabase, testKafka, uniqueName } from '@switchboard/testing';
import { composeRouting } from '../src/routing.composition';
import { startRoutingRuntime, type RoutingRuntime } from '../src/routing.runtime';
import { TelephonyEvents, toMessages } from './telephony-events';
import { eventually } from './workers';
import { readEvents } from './kafka-read';

let kafka: Kafka;
let admin: Admin;
let producer: Producer;
let db: { url: string; drop: () => Promise<void> };
let pool: Pool;
let runtime: RoutingRuntime | undefined;
const topics = { call: uniqueName('it-routing-call'), agent: uniqueName('it-routing-agent'), assignment: uniqueName('it-routing-assignment') };

beforeAll(async () => {
  kafka = testKafka();
  admin = kafka.admin();
  await admin.connect();
  await createTopics(admin, [topics.call, topics.agent, topics.assignment, dlqTopicOf(topics.call), dlqTopicOf(topics.agent)]);
  producer = createIdempotentProducer(kafka);
  await producer.connect();
  db = await freshDatabase('sb_routing_live');
  pool = new Pool({ connectionString: db.url, max: 5 });
});

afterAll(async () => {
  await runtime?.stop();
  await producer?.disconnect();
  await admin?.disconnect();
  await pool?.end();
  await db?.drop();
});

const send = (topic: string, events: AnyEvent[]) => producer.send({ topic, acks: -1, messages: toMessages(events) });

describe('routing from live telephony events', () => {
  it('assigns queued calls to ready agents, re-offers on ring-no-answer and publishes the decisions', async () => {
    const deps = await composeRouting(pool, { tenant: 'acme', site: 'nanchang', clock: () => Date.now(), assignmentTopic: topics.assignment });
    runtime = await startRoutingRuntime({ pool, kafka, producer, router: deps.router, configuration: deps.configuration, groupIdPrefix: uniqueName('routing'),
      topics: { telephony: [topics.call, topics.agent] }, clockTickMs: 1000 });
    const ev = new TelephonyEvents(Date.parse('2026-03-02T09:00:00Z'));
    const agent = (id: string) => deps.router.engine.book.agents.get(id)?.availability.status;

    await send(topics.agent, [ev.agentLoggedIn('E1', ['billing']), ev.agentState('E1', { status: 'ready' }), ev.agentLoggedIn('E2', ['billing']), ev.agentState('E2', { status: 'ready' })]);
    await eventually('both agents ready', async () => agent('E1') === 'ready' && agent('E2') === 'ready');
    await send(topics.call, [ev.callQueued('c1', 'billing'), ev.callQueued('c2', 'billing'), ev.callQueued('c3', 'billing')]);
    await eventually('two offers', async () => agent('E1') === 'reserved' && agent('E2') === 'reserved');
    await send(topics.agent, [ev.ringNoAnswer('E1', 'c1', 'billing'), ev.agentState('E2', { status: 'on-call', callId: 'c2' }),
      ev.agentState('E2', { status: 'wrap-up', callId: 'c2' }), ev.agentState('E2', { status: 'ready' })]);

    const published = (await readEvents(kafka, topics.assignment, 4)).map((e) => {
      const data = e.data as { agentId?: string; previousAgentId?: string };
      return [e.type, e.subject, data.agentId ?? data.previousAgentId];
    });
    expect(published).toEqual([
      [CallAssignedToAgent.type, 'c1', 'E1'], [CallAssignedToAgent.type, 'c2', 'E2'], [CallReoffered.type, 'c1', 'E1'], [CallAssignedToAgent.type, 'c1', 'E2'],
    ]);
    expect(agent('E1')).toBe('not-ready');
    expect([...deps.router.engine.book.calls.keys()]).toEqual(['c3']);
  });
});
