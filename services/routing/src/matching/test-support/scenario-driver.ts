import type { RoutingEngine } from '../domain/routing-engine';
import type { RoutingInput } from '../domain/routing-inputs';
import type fc from 'fast-check';
import type { Intent, scenario } from './arbitraries';

export type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

const pick = <T>(items: readonly T[], n: number): T | undefined => (items.length === 0 ? undefined : items[n % items.length]);

/** Turns an intent into a concrete input against the engine's current state (undefined when it does not apply). */
export function resolve(engine: RoutingEngine, intent: Intent, at: number, seq: number): RoutingInput | undefined {
  const { book } = engine;
  const agents = [...book.agents.values()].sort((a, b) => (a.agentId < b.agentId ? -1 : 1));
  const withStatus = (s: string) => agents.filter((a) => a.availability.status === s);
  switch (intent.kind) {
    case 'call': return { type: 'CallQueued', callId: `c${seq}`, queueId: intent.queue, at, ...(intent.tier === undefined ? {} : { callerTier: intent.tier }) };
    case 'ratio': return { type: 'TeamLeaderShareSet', ratio: intent.ratio, at };
    case 'team-ratio': return { type: 'TeamLeaderTeamShareSet', teamId: intent.team, ratio: intent.ratio, at };
    case 'ready': return idOf(pick(agents.filter((a) => a.availability.status !== 'ready'), intent.pick), (agentId) => ({ type: 'AgentBecameReady', agentId, at }));
    case 'not-ready': return idOf(pick(agents, intent.pick), (agentId) => ({ type: 'AgentBecameNotReady', agentId, reason: 'break', at }));
    case 'answer': return offered(engine, intent.pick, (callId, agentId) => ({ type: 'CallAnswered', callId, agentId, at }));
    case 'rona': return offered(engine, intent.pick, (callId, agentId) => ({ type: 'RingNoAnswer', callId, agentId, at }));
    case 'hang-up': {
      const a = pick(withStatus('on-call'), intent.pick);
      return a?.availability.status === 'on-call' ? { type: 'AgentStartedWrapUp', agentId: a.agentId, callId: a.availability.callId, at } : undefined;
    }
    case 'abandon': return idOf(pick(tracked(engine), intent.pick), (callId) => ({ type: 'CallAbandoned', callId, queueVisit: visitOf(engine, callId), at }));
    case 'refused': return offered(engine, intent.pick, (callId, agentId, offerSeq) =>
      ({ type: 'AssignmentFailed', callId, agentId, offerSeq: intent.stale ? offerSeq - 1 : offerSeq, problem: intent.callNotWaiting ? 'call' : 'agent', at }));
    case 'queued-again': {
      const retry = pick([...book.retries.values()].sort((a, b) => (a.call.callId < b.call.callId ? -1 : 1)), intent.pick);
      return retry === undefined ? undefined : { type: 'CallQueued', callId: retry.call.callId, queueId: retry.call.queueId, queueVisit: retry.call.queueVisit, at };
    }
    case 'membership': return idOf(pick(agents, intent.pick), (agentId) => ({ type: 'AgentQueuesChanged', agentId, queueIds: intent.queues, at }));
    case 'queue-timeout': return idOf(pick(tracked(engine), intent.pick), (callId) =>
      ({ type: 'CallQueueTimedOut', callId, queueVisit: visitOf(engine, callId) + (intent.otherVisit ? 1 : 0), at }));
    case 'requeue': return idOf(pick(tracked(engine), intent.pick), (callId) =>
      ({ type: 'CallQueued', callId, queueId: intent.queue, queueVisit: visitOf(engine, callId) + 1, at }));
    case 'tick': return { type: 'TimeAdvanced', at };
    case 'merge': return { type: 'GroupsMerged', groupId: 'g', queueIds: intent.queues, at };
    case 'split': return { type: 'GroupsSplit', groupId: 'g', at };
    case 'reskill': return idOf(pick(agents, intent.pick), (agentId) => ({ type: 'AgentProfileChanged', agentId, at,
      profile: { teamId: intent.agent.team, skills: new Map(Object.entries(intent.agent.skills)), ...(intent.agent.leader ? { teamLeader: true } : {}) } }));
    case 'logout': return idOf(pick(agents, intent.pick), (agentId) => ({ type: 'AgentLoggedOut', agentId, at }));
  }
}

function idOf(item: string | { agentId: string } | undefined, f: (id: string) => RoutingInput): RoutingInput | undefined {
  if (item === undefined) return undefined;
  return f(typeof item === 'string' ? item : item.agentId);
}

function offered(engine: RoutingEngine, n: number, f: (callId: string, agentId: string, offerSeq: number) => RoutingInput): RoutingInput | undefined {
  const offers = [...engine.book.offers.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
  const o = pick(offers, n);
  return o === undefined ? undefined : f(o[0], o[1].agentId, o[1].offerSeq);
}

/** Waiting, offered and held-back calls, sorted. */
const tracked = (engine: RoutingEngine) => [...engine.book.calls.keys(), ...engine.book.offers.keys(), ...engine.book.retries.keys()].sort();

const visitOf = (engine: RoutingEngine, callId: string) =>
  (engine.book.calls.get(callId) ?? engine.book.offers.get(callId)?.call ?? engine.book.retries.get(callId)!.call).queueVisit;

/**
 * Plays a generated scenario: policies, the team-leader ratio, agents logged in, then each step's intent resolved
 * against `engine`'s state, and a final tick past every expiry. `feed` applies each input (to one engine or several).
 */
export function replayScenario({ policies, teamLeaderRatio, agents, steps }: Scenario, engine: RoutingEngine, feed: (input: RoutingInput) => void): void {
  policies.forEach((policy) => feed({ type: 'PolicySet', policy, at: 0 }));
  feed({ type: 'TeamLeaderShareSet', ratio: teamLeaderRatio, at: 0 });
  agents.forEach((a, i) => {
    feed({ type: 'AgentProfileChanged', agentId: `a${i}`, profile: { teamId: a.team, skills: new Map(Object.entries(a.skills)), ...(a.leader ? { teamLeader: true } : {}) }, at: 0 });
    feed({ type: 'AgentLoggedIn', agentId: `a${i}`, queueIds: a.queues, at: 0 });
  });
  let at = 0;
  steps.forEach(([intent, dt], seq) => {
    at += dt;
    const input = resolve(engine, intent, at, seq);
    if (input !== undefined) feed(input);
  });
  feed({ type: 'TimeAdvanced', at: at + 10 * 60_000 });
}
