import { agedPriority, stepDepth, tierOfCall, type AgentStrategy, type RoutingPolicy } from './routing-policy';
import { proficiencyOf, type LiveAgent, type WaitingCall } from './live-state';

/**
 * Total orders, so "the best" is unique and the indexed and naive matchers must agree exactly. Keys only change
 * while an agent is not ready (idle start, occupancy, last offer) or when its skills change, which re-indexes it.
 */
export type AgentKey = readonly [number, number, number, string];

export function agentKey(agent: LiveAgent, strategy: AgentStrategy, primarySkill: string | null): AgentKey {
  const since = agent.availability.since;
  switch (strategy) {
    case 'most-skilled': return [-proficiencyOf(agent, primarySkill), since, 0, agent.agentId];
    case 'longest-idle': return [since, 0, 0, agent.agentId];
    case 'least-occupied': return [agent.occupiedMs, since, 0, agent.agentId];
    case 'round-robin': return [agent.lastOfferSeq, 0, 0, agent.agentId];
    default: {
      const _exhaustive: never = strategy;
      return _exhaustive;
    }
  }
}

export function compareKeys(a: AgentKey, b: AgentKey): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2] || (a[3] < b[3] ? -1 : a[3] > b[3] ? 1 : 0);
}

export const STRATEGY_LABEL: Readonly<Record<AgentStrategy, string>> = {
  'most-skilled': 'highest-proficiency-then-longest-idle',
  'longest-idle': 'longest-idle',
  'least-occupied': 'least-occupied-then-longest-idle',
  'round-robin': 'round-robin',
};

/**
 * Call side: further overflowed first (steps serving the call's tier passed through; a step its tier skips does not
 * count), then aged priority (caller tier included), then longest wait.
 */
export type CallKey = readonly [number, number, number, string];

export function callKey(call: WaitingCall, policy: RoutingPolicy, now: number, depth = stepDepth(policy, tierOfCall(call.callerTier), call.stepIndex)): CallKey {
  return [-depth, -agedPriority(policy, now - call.enqueuedAt, call.callerTier), call.enqueuedAt, call.callId];
}

export const compareCallKeys = compareKeys as (a: CallKey, b: CallKey) => number;
