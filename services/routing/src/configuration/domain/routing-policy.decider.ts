import type { Decider } from '@switchboard/decider';
import { InvalidArgumentError, type FieldViolation } from '@switchboard/domain-errors';
import { AGENT_STRATEGIES, type RoutingPolicy } from '../../matching/domain/routing-policy';

/** Stream `routing-policy-<queueId>`: every change is a new, numbered version (RT-A2). */
export type RoutingPolicySet = {
  readonly type: 'RoutingPolicySet';
  readonly data: { readonly policy: RoutingPolicy; readonly setBy: string; readonly at: string };
};
export type SetRoutingPolicy = {
  readonly type: 'SetRoutingPolicy';
  readonly data: { readonly policy: Omit<RoutingPolicy, 'version'>; readonly setBy: string; readonly at: string };
};
export type RoutingPolicyState = { readonly status: 'unset' } | { readonly status: 'set'; readonly policy: RoutingPolicy };

const isProficiency = (n: number) => Number.isInteger(n) && n >= 1 && n <= 5;
const TIER = /^[a-z0-9][a-z0-9_-]{0,31}$/;
const TIER_NAME = 'a tier name as the PBX sends it (a-z, 0-9, _ or -, up to 32)';

function stepViolations(policy: Omit<RoutingPolicy, 'version'>): FieldViolation[] {
  return policy.steps.flatMap((step, i) => [
    ...step.requirements.flatMap((r, j) => (isProficiency(r.minProficiency) ? [] : [{ field: `steps[${i}].requirements[${j}].minProficiency`, description: '1..5' }])),
    ...(step.expirySeconds !== null && !(step.expirySeconds > 0) ? [{ field: `steps[${i}].expirySeconds`, description: 'positive, or none for a step that never expires' }] : []),
    ...(step.expirySeconds === null && i < policy.steps.length - 1 ? [{ field: `steps[${i}].expirySeconds`, description: 'only the last step may never expire' }] : []),
    ...stepTierViolations(policy, i),
  ]);
}

/**
 * RT-11: a step's caller tiers are tier names, each once; a dedicated step names its tiers and the desk (teams or
 * agents) it reserves; and some step serves every tier, so every call has a step to wait in.
 */
function stepTierViolations(policy: Omit<RoutingPolicy, 'version'>, i: number): FieldViolation[] {
  const step = policy.steps[i];
  const tiers = step.callerTiers ?? [];
  return [
    ...tiers.flatMap((t, j) => [
      ...(TIER.test(t) ? [] : [{ field: `steps[${i}].callerTiers[${j}]`, description: `${TIER_NAME}; standard = calls without a tier` }]),
      ...(tiers.indexOf(t) < j ? [{ field: `steps[${i}].callerTiers[${j}]`, description: 'each tier once' }] : []),
    ]),
    ...(step.dedicated === true && tiers.length === 0 ? [{ field: `steps[${i}].dedicated`, description: 'a dedicated step names the caller tiers it is for (callerTiers)' }] : []),
    ...(step.dedicated === true && step.teamIds.length + step.agentIds.length === 0 ? [{ field: `steps[${i}].dedicated`, description: 'a dedicated step names the teams or agents it reserves' }] : []),
  ];
}

const servesEveryTier = (policy: Omit<RoutingPolicy, 'version'>) => policy.steps.some((s) => (s.callerTiers ?? []).length === 0);

/** A tier's head start lives inside priority ageing (RT-11): it needs ageing on and may not exceed its cap. */
function tierViolations(policy: Omit<RoutingPolicy, 'version'>): FieldViolation[] {
  const tiers = policy.tierPriorities ?? [];
  const { everySeconds, increment, max } = policy.ageing;
  const ageing = everySeconds > 0 && increment > 0;
  return tiers.flatMap((t, i) => [
    ...(TIER.test(t.tier) ? [] : [{ field: `tierPriorities[${i}].tier`, description: TIER_NAME }]),
    ...(tiers.findIndex((o) => o.tier === t.tier) < i ? [{ field: `tierPriorities[${i}].tier`, description: 'each tier once' }] : []),
    ...(!Number.isInteger(t.boost) || t.boost < 1 ? [{ field: `tierPriorities[${i}].boost`, description: 'a positive whole number of priority points' }] : []),
    ...(!ageing ? [{ field: `tierPriorities[${i}].boost`, description: 'needs priority ageing (everySeconds and increment above 0), so standard calls catch up' }] : []),
    ...(ageing && t.boost > max ? [{ field: `tierPriorities[${i}].boost`, description: `at most the ageing cap (${max})` }] : []),
  ]);
}

export function policyViolations(policy: Omit<RoutingPolicy, 'version'>): FieldViolation[] {
  const final = policy.finalAction;
  return [
    ...(policy.steps.length === 0 ? [{ field: 'steps', description: 'at least one step' }] : []),
    ...(policy.steps.length > 0 && !servesEveryTier(policy) ? [{ field: 'steps', description: 'at least one step serving every caller tier (no callerTiers)' }] : []),
    ...(AGENT_STRATEGIES.includes(policy.strategy) ? [] : [{ field: 'strategy', description: `one of ${AGENT_STRATEGIES.join(', ')}` }]),
    ...stepViolations(policy),
    ...(final.kind === 'move-to-queue' && final.queueId === policy.queueId ? [{ field: 'finalAction.queueId', description: 'must be another queue' }] : []),
    ...(policy.ageing.everySeconds < 0 || policy.ageing.max < 0 ? [{ field: 'ageing', description: 'must not be negative' }] : []),
    ...tierViolations(policy),
  ];
}

export function setRoutingPolicy(command: SetRoutingPolicy, state: RoutingPolicyState): RoutingPolicySet[] {
  const violations = policyViolations(command.data.policy);
  if (violations.length > 0) throw new InvalidArgumentError('ROUTING.INVALID_POLICY', 'the routing policy is invalid', violations);
  const version = state.status === 'set' ? state.policy.version + 1 : 1;
  return [{ type: 'RoutingPolicySet', data: { ...command.data, policy: { ...command.data.policy, version } } }];
}

export const routingPolicyDecider: Decider<SetRoutingPolicy, RoutingPolicySet, RoutingPolicyState> = {
  decide: setRoutingPolicy,
  evolve: (_state, event) => ({ status: 'set', policy: event.data.policy }),
  initialState: () => ({ status: 'unset' }),
};
