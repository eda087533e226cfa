import { InvalidArgumentError } from '@switchboard/domain-errors';
import type { ExplainRoutingResponse, QueueState, RoutingPolicy as ProtoPolicy } from '@switchboard/contracts/src/generated/switchboard/routing/v1/routing_service';
import type { Timestamp } from '@switchboard/contracts/src/generated/google/protobuf/timestamp';
import { AGENT_STRATEGIES, NO_AGEING, type AgentStrategy, type RoutingPolicy } from '../matching/domain/routing-policy';
import { STRATEGY_LABEL } from '../matching/domain/ranking';
import type { QueueStateView } from '../matching/domain/queue-state';
import type { CallAssigned } from '../matching/domain/routing-decision.events';

export const timestamp = (ms: number): Timestamp => ({ seconds: String(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1_000_000 });

/** Accepts a strategy id (`longest-idle`) or its label (`highest-proficiency-then-longest-idle`); empty = most-skilled. */
export function strategyOf(value: string): AgentStrategy {
  if (value === '') return 'most-skilled';
  const byId = AGENT_STRATEGIES.find((s) => s === value);
  const byLabel = AGENT_STRATEGIES.find((s) => STRATEGY_LABEL[s] === value);
  const found = byId ?? byLabel;
  if (found === undefined) throw new InvalidArgumentError('ROUTING.UNKNOWN_STRATEGY', `unknown strategy ${value}`, [{ field: 'policy.strategy', description: AGENT_STRATEGIES.join(', ') }]);
  return found;
}

/**
 * The proto has no final action yet: callers get keep-waiting. Absent ageing = no ageing. A step's empty caller tiers
 * (every call) and `dedicated` false are left out, as on policies set before tiered steps existed.
 */
export function policyFromProto(p: ProtoPolicy | undefined): Omit<RoutingPolicy, 'version'> {
  if (p === undefined || p.queueId === '') throw new InvalidArgumentError('ROUTING.POLICY_REQUIRED', 'a policy with a queue id is required', [{ field: 'policy.queueId', description: 'required' }]);
  return {
    policyId: p.policyId || `policy-${p.queueId}`, queueId: p.queueId, strategy: strategyOf(p.strategy),
    steps: p.steps.map((s) => ({
      requirements: s.requirements.map((r) => ({ skillId: r.skillId, minProficiency: r.minProficiency })),
      expirySeconds: s.expirySeconds === 0 ? null : s.expirySeconds, extraQueueIds: s.extraQueueIds, teamIds: s.teamIds, agentIds: s.agentIds,
      ...(s.callerTiers.length > 0 ? { callerTiers: s.callerTiers } : {}), ...(s.dedicated ? { dedicated: true } : {}),
    })),
    finalAction: { kind: 'keep-waiting' }, basePriority: p.basePriority, ageing: p.ageing ?? NO_AGEING, essentialSkillIds: [],
    tierPriorities: p.tierPriorities.map(({ tier, boost }) => ({ tier, boost })),
  };
}

export function policyToProto(p: RoutingPolicy): ProtoPolicy {
  return {
    policyId: p.policyId, queueId: p.queueId, strategy: p.strategy,
    steps: p.steps.map((s) => ({
      requirements: [...s.requirements], expirySeconds: s.expirySeconds ?? 0, extraQueueIds: [...s.extraQueueIds], teamIds: [...s.teamIds],
      agentIds: [...s.agentIds], callerTiers: [...(s.callerTiers ?? [])], dedicated: s.dedicated === true,
    })),
    basePriority: p.basePriority, ageing: { ...p.ageing }, tierPriorities: (p.tierPriorities ?? []).map((t) => ({ ...t })),
  };
}

export function queueStateToProto(s: QueueStateView): QueueState {
  return {
    queueId: s.queueId, waitingCalls: s.waitingCalls, longestWaitSeconds: s.longestWaitSeconds, agentsReady: s.agentsReady,
    agentsOnCall: s.agentsOnCall, agentsNotReady: s.agentsNotReady, asOf: timestamp(s.asOf),
    waitingByTier: { ...s.waitingByTier }, teamLeadersReady: s.teamLeadersReady, teamLeadersAtShare: s.teamLeadersAtShare,
  };
}

export function explanationToProto(d: CallAssigned['data']): ExplainRoutingResponse {
  return {
    callId: d.callId, queueId: d.queueId, agentId: d.agentId, step: d.step, policyId: d.policyId, policyVersion: d.policyVersion,
    strategy: d.explanation.strategy, summary: d.explanation.summary, candidates: d.explanation.candidates.map((c) => ({ ...c })),
    decidedAt: timestamp(d.decidedAt), callerTier: d.callerTier ?? '',
  };
}
