import type { ActiveStep } from './routing-policy';
import type { LiveAgent, WaitingCall } from './live-state';
import { shareReachedReason } from './team-leader-share';

/**
 * Why an agent may not take a call at its current step, or null when it may. The single statement of the routing
 * invariants: ready, not already holding a call, within a team leader's share, in the pool, and skilled enough.
 * Both matchers use it. (That team leaders come last is an order, not eligibility: see ranking.)
 */
export function rejectionOf(agent: LiveAgent, call: WaitingCall, step: ActiveStep): string | null {
  const a = agent.availability;
  if (a.status !== 'ready') return a.status === 'reserved' ? 'call already in flight' : `not ready (${a.status === 'not-ready' ? a.reason : a.status})`;
  if (agent.leaderShare?.reached === true) return shareReachedReason(agent.leaderShare);
  if (call.excludedAgentIds.has(agent.agentId)) return 'did not answer this call before';
  return stepRejection(agent, step);
}

/**
 * The step-level part of eligibility (same for every call of one tier waiting at this step); readiness is checked by
 * the caller.
 */
export function stepRejection(agent: LiveAgent, step: ActiveStep): string | null {
  // Tier rules sit behind one flag, out of line: this function is on every scan's hot path (and inlined there).
  if (step.hasTierRules) {
    const tier = tierRejection(agent, step);
    if (tier !== null) return tier;
  }
  if (!inPool(agent, step)) return 'not in the queue pool of this step';
  if (step.teamIds.size > 0 && !step.teamIds.has(agent.teamId)) return 'not in a preferred team of this step';
  if (step.agentIds.size > 0 && !step.agentIds.has(agent.agentId)) return 'not a preferred agent of this step';
  return skillGap(agent, step);
}

/**
 * RT-11: the step does not serve the call's tier, or the agent is on a dedicated desk of this policy for other tiers.
 */
function tierRejection(agent: LiveAgent, step: ActiveStep): string | null {
  if (step.tierMismatch !== null) return step.tierMismatch;
  if (step.reservedAgents.size > 0) {
    const byAgent = step.reservedAgents.get(agent.agentId);
    if (byAgent !== undefined) return byAgent;
  }
  return step.reservedTeams.get(agent.teamId) ?? null;
}

export function inPool(agent: LiveAgent, step: ActiveStep): boolean {
  for (const q of agent.queueIds) if (step.poolQueueIds.has(q)) return true;
  return false;
}

export function skillGap(agent: LiveAgent, step: ActiveStep): string | null {
  for (const r of step.requirements) {
    const has = agent.skills.get(r.skillId) ?? 0;
    if (has < r.minProficiency) return has === 0 ? `lacks skill ${r.skillId}` : `${r.skillId} at ${has} < required ${r.minProficiency}`;
  }
  return null;
}
