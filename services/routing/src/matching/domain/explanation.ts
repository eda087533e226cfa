import { agedPriority, primarySkillOf, tierBoost, type ActiveStep } from './routing-policy';
import { agentKey, STRATEGY_LABEL } from './ranking';
import { idleMs, proficiencyOf, type LiveAgent, type WaitingCall } from './live-state';
import type { CandidateNote, Explanation } from './matcher';
import { lastResortReason } from './team-leader-share';

const seconds = (ms: number) => Math.round(ms / 100) / 10;

export function note(agent: LiveAgent, step: ActiveStep, now: number, outcome: CandidateNote['outcome'], reason: string): CandidateNote {
  return { agentId: agent.agentId, outcome, reason, proficiency: proficiencyOf(agent, primarySkillOf(step)), idleSeconds: seconds(idleMs(agent, now)) };
}

/** Why `loser` ranked below `winner`: the first ranking key that differs, in words. */
export function whyLost(winner: LiveAgent, loser: LiveAgent, step: ActiveStep, now: number): string {
  const strategy = step.policy.strategy;
  const skill = primarySkillOf(step);
  const w = agentKey(winner, strategy, skill);
  const l = agentKey(loser, strategy, skill);
  const by = `ranked below ${winner.agentId}:`;
  if (strategy === 'most-skilled' && w[0] !== l[0]) return `${by} proficiency ${-l[0]} < ${-w[0]}`;
  if (strategy === 'least-occupied' && w[0] !== l[0]) return `${by} occupied ${seconds(l[0])} s > ${seconds(w[0])} s`;
  if (strategy === 'round-robin' && w[0] !== l[0]) return `${by} offered more recently`;
  if (winner.availability.since !== loser.availability.since) return `${by} idle ${seconds(idleMs(loser, now))} s < ${seconds(idleMs(winner, now))} s`;
  return `${by} tie broken by agent id`;
}

export function winnerReason(agent: LiveAgent, step: ActiveStep, now: number): string {
  const skill = primarySkillOf(step);
  const skillPart = skill === null ? '' : `proficiency ${proficiencyOf(agent, skill)} in ${skill}, `;
  const leader = agent.leaderShare === undefined ? '' : `${lastResortReason(agent.leaderShare)}; `;
  return `${leader}best by ${STRATEGY_LABEL[step.policy.strategy]}: ${skillPart}idle ${seconds(idleMs(agent, now))} s`;
}

/** The caller tier's part in the call's priority (RT-11), or '' for a standard call. */
export function tierPart(call: WaitingCall, step: ActiveStep, now: number): string {
  if (call.callerTier === undefined) return '';
  const boost = tierBoost(step.policy, call.callerTier);
  const priority = agedPriority(step.policy, now - call.enqueuedAt, call.callerTier);
  return boost === 0
    ? `; caller tier ${call.callerTier}: no tier priority in policy ${step.policy.policyId}, priority ${priority}`
    : `; caller tier ${call.callerTier}: priority head start +${boost} (policy ${step.policy.policyId}), priority ${priority}`;
}

/**
 * The step's caller-tier rules (RT-11), or '' when it has none: which tiers it serves and its dedicated desk, steps
 * the call's tier skipped, and how many agents a dedicated desk of another tier kept from it.
 */
export function tierStepPart(step: ActiveStep): string {
  const parts: string[] = [];
  if (step.callerTiers.length > 0) {
    const s = step.policy.steps[step.index];
    const desk = s.dedicated === true ? [...s.teamIds.map((t) => `team ${t}`), ...s.agentIds.map((a) => `agent ${a}`)] : [];
    parts.push(`step ${step.index} serves caller tiers ${step.callerTiers.join(', ')} only${desk.length > 0 ? `, dedicated ${desk.join(', ')}` : ''}`);
  }
  if (step.skippedSteps.length > 0) parts.push(`caller tier ${step.tier} skipped step${step.skippedSteps.length > 1 ? 's' : ''} ${step.skippedSteps.join(', ')} (for other tiers only)`);
  return parts.length === 0 ? '' : `; ${parts.join('; ')}`;
}

/** Explanation of a call-side decision: `ranked` holds the winner first, then runners-up (eligible). */
export function explainAgentChoice(call: WaitingCall, step: ActiveStep, now: number, ranked: readonly LiveAgent[],
  rejected: readonly CandidateNote[], considered: number): Explanation {
  const [winner, ...rest] = ranked;
  const candidates = [
    note(winner, step, now, 'chosen', winnerReason(winner, step, now)),
    ...rest.map((a) => note(a, step, now, 'eligible', whyLost(winner, a, step, now))),
    ...rejected,
  ];
  const merged = step.merged ? ' (groups merged)' : '';
  return {
    strategy: STRATEGY_LABEL[step.policy.strategy], candidatesConsidered: considered, candidates,
    summary: `call ${call.callId} at step ${step.index}${merged}: ${winner.agentId} chosen, ${winnerReason(winner, step, now)}; ${considered} agents considered`
      + tierPart(call, step, now) + tierStepPart(step),
  };
}

/** Explanation of an agent-side decision: the agent freed up and took the best call it may serve. */
export function explainCallChoice(agent: LiveAgent, call: WaitingCall, step: ActiveStep, now: number, eligibleCalls: number): Explanation {
  return {
    strategy: STRATEGY_LABEL[step.policy.strategy], candidatesConsidered: 1,
    candidates: [note(agent, step, now, 'chosen', `${agent.agentId} became available and is eligible at step ${step.index}`
      + (agent.leaderShare === undefined ? '' : `; ${lastResortReason(agent.leaderShare)}`))],
    summary: `${agent.agentId} became available; call ${call.callId} was the first of ${eligibleCalls} eligible waiting calls `
      + `(step ${step.index}, priority ${agedPriority(step.policy, now - call.enqueuedAt, call.callerTier)}, waited ${seconds(now - call.enqueuedAt)} s); `
      + 'no other ready agent was eligible for it, or it would already have been assigned' + tierPart(call, step, now) + tierStepPart(step),
  };
}
