// Agent-state limit alerts (RT-07) end to end: telephony events -> live agent state -> evaluation on the routing
// clock -> outbox -> the floor topic; each alert once, also across a restart.
import type { Admin, Kafka, Producer } from 'kafkajs';
import { Pool } from 'pg';
import { AgentStateLimitExceeded, dlqTopicOf, TeamBreakLimitExceeded, type AnyEvent } from '@switchboard/contracts';
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
const topics = { call: uniqueName('it-floor-call'), agent: uniqueName('it-floor-agent'), assignment: uniqueName('it-floor-assignment'), floor: uniqueName('it-floor') };
const MIN = 60_000;
const T0 = Date.parse('2026-03-02T09:00:00Z');
/** The wall clock the routing clock runs on between events (ADR 0007); the test moves it. */
let wall = T0;

beforeAll(async () => {
  kafka = testKafka();
  admin = kafka.admin();
  await admin.connect();
  await createTopics(admin, [topics.call, topics.agent, topics.assignment, topics.floor, dlqTopicOf(topics.call), dlqTopicOf(topics.agent)]);
  producer = createIdempotentProducer(kafka);
  await producer.connect();
  db = await freshDatabase('sb_routing_floor');
  pool = new Pool({ connectionString: db.url, max: 5 });
});

afterAll(async () => {
  await runtime?.stop();
  await producer?.disconnect();
  await admin?.disconnect();
  await pool?.end();
  await db?.drop();
});

async function start() {
  const deps = await composeRouting(pool, { tenant: 'acme', site: 'nanchang', clock: () => wall, assignmentTopic: topics.assignment, floorTopic: topics.floor });
  runtime = await startRoutingRuntime({ pool, kafka, producer, router: deps.router, configuration: deps.configuration, floorAlerts: deps.floorAlerts,
    groupIdPrefix: 'floor-routing', topics: { telephony: [topics.call, topics.agent] }, clockTickMs: 100 });
  return deps;
}

const summary = (e: AnyEvent) => {
  const d = e.data as { agentId?: string; agentIds?: string[]; limit?: string };
  return `${e.sequence} ${e.subject} ${e.type === TeamBreakLimitExceeded.type ? `team-break:${d.agentIds!.join(',')}` : `${d.agentId}:${d.limit}`}`;
};

describe('agent-state limit alerts on the floor topic', () => {
  it('raises the team break limit at once, each agent limit when broken on the routing clock, each once across a restart', async () => {
    const deps = await start();
    for (const agentId of ['E1', 'E2', 'E3']) {
      await deps.configuration.changeProfile(agentId, (at) => ({ type: 'AssignTeam', data: { agentId, teamId: 'team-a', assignedBy: 'tl-1', at } }));
    }
    const ev = new TelephonyEvents(T0);
    await producer.send({ topic: topics.agent, acks: -1, messages: toMessages(['E1', 'E2', 'E3'].flatMap((a) => [ev.agentLoggedIn(a, ['billing']), ev.agentState(a, { status: 'not-ready', reason: 'break' })])) });
    await eventually('three on break', async () => [...deps.router.engine.book.agents.values()].filter((a) => a.availability.status === 'not-ready').length === 3);

    expect((await readEvents(kafka, topics.floor, 1)).map(summary)).toEqual(['1 team-a team-break:E1,E2,E3']);
    wall = T0 + 11 * MIN; // the latest event was at T0 + 6 s: the routing clock is now past 10 minutes of break
    const broken = await readEvents(kafka, topics.floor, 4);
    expect(broken.map(summary).sort()).toEqual(['1 team-a team-break:E1,E2,E3', '2 team-a E1:break', '3 team-a E2:break', '4 team-a E3:break']);
    const e1 = broken.find((e) => (e.data as { agentId?: string }).agentId === 'E1')!;
    expect(e1.type).toBe(AgentStateLimitExceeded.type);
    expect(e1.data).toMatchObject({ teamId: 'team-a', notReadyReason: 'break', since: new Date(T0 + 2000).toISOString(), limitSeconds: 600 });

    await runtime!.stop();
    const restarted = await start();
    expect(restarted.router.engine.book.agents.size).toBe(3);
    wall = T0 + 16 * MIN; // past 15 minutes away without approval: only that alert is new
    const all = await readEvents(kafka, topics.floor, 7);
    expect(all.map(summary).slice(4).sort()).toEqual(['5 team-a E1:away-without-approval', '6 team-a E2:away-without-approval', '7 team-a E3:away-without-approval']);
    await new Promise((r) => setTimeout(r, 1000)); // a few more ticks: nothing raised twice
    const { rows } = await pool.query<{ n: number }>('select count(*)::int as n from routing_floor_alerts');
    expect(rows[0].n).toBe(7);
  });
});
