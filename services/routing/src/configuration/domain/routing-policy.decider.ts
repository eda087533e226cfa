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

function stepViolations(policy: Omit<RoutingPolicy, 'version'>): FieldViolation[] {
  return policy.steps.flatMap((step, i) => [
    ...step.requirements.flatMap((r, j) => (isProficiency(r.minProficiency) ? [] : [{ field: `steps[${i}].requirements[${j}].minProficiency`, description: '1..5' }])),
    ...(step.expirySeconds !== null && !(step.expirySeconds > 0) ? [{ field: `steps[${i}].expirySeconds`, description: 'positive, or none for a step that never expires' }] : []),
    ...(step.expirySeconds === null && i < policy.steps.length - 1 ? [{ field: `steps[${i}].expirySeconds`, description: 'only the last step may never expire' }] : []),
  ]);
}

export function policyViolations(policy: Omit<RoutingPolicy, 'version'>): FieldViolation[] {
  const final = policy.finalAction;
  return [
    ...(policy.steps.length === 0 ? [{ field: 'steps', description: 'at least one step' }] : []),
    ...(AGENT_STRATEGIES.includes(policy.strategy) ? [] : [{ field: 'strategy', description: `one of ${AGENT_STRATEGIES.join(', ')}` }]),
    ...stepViolations(policy),
    ...(final.kind === 'move-to-queue' && final.queueId === policy.queueId ? [{ field: 'finalAction.queueId', description: 'must be another queue' }] : []),
    ...(policy.ageing.everySeconds < 0 || policy.ageing.max < 0 ? [{ field: 'ageing', description: 'must not be negative' }] : []),
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
