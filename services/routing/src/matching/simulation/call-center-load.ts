import type { RoutingEngine } from '../domain/routing-engine';
import type { RoutingInput } from '../domain/routing-inputs';
import type { PolicyStep, RoutingPolicy } from '../domain/routing-policy';

/** A seeded PRNG (mulberry32): benchmarks and soak tests replay the same population and traffic. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface LoadShape {
  readonly agents: number;
  readonly skills: number;
  readonly queues: number;
  readonly waitingCalls: number;
  readonly seed: number;
}

const stepOf = (p: Partial<PolicyStep>): PolicyStep => ({ requirements: [], expirySeconds: null, extraQueueIds: [], teamIds: [], agentIds: [], ...p });

/** Queue q serves skill q mod skills: expert step for 30 s, then any proficiency with a backup queue. */
function policyFor(q: number, shape: LoadShape): RoutingPolicy {
  const skillId = `skill-${q % shape.skills}`;
  return {
    policyId: `policy-${q}`, version: 1, queueId: `queue-${q}`, strategy: q % 4 === 0 ? 'longest-idle' : 'most-skilled',
    steps: [
      stepOf({ requirements: [{ skillId, minProficiency: 3 }], expirySeconds: 30 }),
      stepOf({ requirements: [{ skillId, minProficiency: 1 }], extraQueueIds: [`queue-${(q + 1) % shape.queues}`] }),
    ],
    finalAction: { kind: 'keep-waiting' }, basePriority: q % 3, ageing: { everySeconds: 20, increment: 1, max: 5 }, essentialSkillIds: [],
  };
}

/**
 * The setup inputs: policies, agents with 3-8 skills at proficiency 1-5 in 1-2 queues, all on a call, then the
 * waiting calls. Returns the inputs and the time after them.
 */
export function populationInputs(shape: LoadShape): { inputs: RoutingInput[]; at: number } {
  const rnd = seededRandom(shape.seed);
  const int = (n: number) => Math.floor(rnd() * n);
  const inputs: RoutingInput[] = [];
  for (let q = 0; q < shape.queues; q++) inputs.push({ type: 'PolicySet', policy: policyFor(q, shape), at: 0 });
  for (let i = 0; i < shape.agents; i++) {
    const agentId = `agent-${i}`;
    const skills = new Map<string, number>();
    const homeQueue = int(shape.queues);
    skills.set(`skill-${homeQueue % shape.skills}`, 1 + int(5));
    while (skills.size < 3 + int(6)) skills.set(`skill-${int(shape.skills)}`, 1 + int(5));
    inputs.push({ type: 'AgentProfileChanged', agentId, profile: { teamId: `team-${i % 100}`, skills }, at: 0 });
    inputs.push({ type: 'AgentLoggedIn', agentId, queueIds: [`queue-${homeQueue}`, `queue-${int(shape.queues)}`], at: 0 });
    inputs.push({ type: 'AgentOnCall', agentId, callId: `setup-${i}`, at: 0 });
  }
  for (let c = 0; c < shape.waitingCalls; c++) inputs.push({ type: 'CallQueued', callId: `wait-${c}`, queueId: `queue-${int(shape.queues)}`, at: c });
  return { inputs, at: shape.waitingCalls };
}

/**
 * Steady-state traffic against a live engine: each tick a random agent changes state (a freed or returning agent
 * gets a call picked for it; an idle one goes on break) and a new call arrives (the router looks for an agent); offered calls are answered at once. Arrivals adapt
 * to keep about `waitingCalls` waiting.
 */
export function nextTraffic(engine: RoutingEngine, rnd: () => number, shape: LoadShape, at: number, seq: number): RoutingInput[] {
  const inputs: RoutingInput[] = [];
  const agentId = `agent-${Math.floor(rnd() * shape.agents)}`;
  const status = engine.book.agents.get(agentId)?.availability.status;
  if (status === 'on-call' || status === 'not-ready') inputs.push({ type: 'AgentBecameReady', agentId, at });
  if (status === 'ready') inputs.push({ type: 'AgentBecameNotReady', agentId, reason: 'break', at });
  const waiting = engine.book.calls.size;
  const arrivals = waiting < shape.waitingCalls * 0.9 ? 2 : waiting > shape.waitingCalls * 1.1 ? 0 : 1;
  for (let k = 0; k < arrivals; k++) inputs.push({ type: 'CallQueued', callId: `call-${seq}-${k}`, queueId: `queue-${Math.floor(rnd() * shape.queues)}`, at });
  return inputs;
}

/** Answers every offered call (unmeasured bookkeeping between measured decisions). */
export function answerOffers(engine: RoutingEngine, at: number): RoutingInput[] {
  return [...engine.book.offers.entries()].map(([callId, { agentId }]) => ({ type: 'CallAnswered', callId, agentId, at }) as const);
}
