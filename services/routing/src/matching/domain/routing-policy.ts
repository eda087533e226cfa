/**
 * Routing policies per queue: ordered steps, each widening who may take the call once it expires
 * (Amazon Connect routing-criteria steps, TaskRouter target timeouts, app_queue penalty rules).
 */
export const AGENT_STRATEGIES = ['most-skilled', 'longest-idle', 'least-occupied', 'round-robin'] as const;
export type AgentStrategy = (typeof AGENT_STRATEGIES)[number];

export interface SkillRequirement {
  readonly skillId: string;
  readonly minProficiency: number;
}

export interface PolicyStep {
  /** All required (AND). Empty: any member of the pool queues. */
  readonly requirements: readonly SkillRequirement[];
  /** Seconds this step stays active; null = never expires. */
  readonly expirySeconds: number | null;
  /** Backup groups: agents of these queues join the pool from this step on. */
  readonly extraQueueIds: readonly string[];
  /** Preferred teams / agents: when non-empty the step only targets them (a later step widens). */
  readonly teamIds: readonly string[];
  readonly agentIds: readonly string[];
}

/** What happens when the last step expires. */
export type FinalAction =
  | { readonly kind: 'keep-waiting' }
  | { readonly kind: 'callback-offer' }
  | { readonly kind: 'move-to-queue'; readonly queueId: string }
  | { readonly kind: 'unroutable' };

/** Priority ageing: +increment every `everySeconds` of wait, up to `max` extra points (0 = off). */
export interface PriorityAgeing {
  readonly everySeconds: number;
  readonly increment: number;
  readonly max: number;
}

/**
 * Customer tier priority (RT-11): calls of `tier` start `boost` points up the priority-ageing ladder, as if they had
 * already waited `ceil(boost / increment) × everySeconds`, and never rise above the ageing cap. So a tiered call goes
 * ahead of standard calls, but never ahead of one that queued that head start or more before it.
 */
export interface TierPriority {
  readonly tier: string;
  readonly boost: number;
}

export interface RoutingPolicy {
  readonly policyId: string;
  readonly version: number;
  readonly queueId: string;
  readonly strategy: AgentStrategy;
  readonly steps: readonly PolicyStep[];
  readonly finalAction: FinalAction;
  readonly basePriority: number;
  readonly ageing: PriorityAgeing;
  /** Skills still required while the queue's group is merged (e.g. language); all others are dropped. */
  readonly essentialSkillIds: readonly string[];
  /** Absent on policies set before tiers existed: every tier is standard. */
  readonly tierPriorities?: readonly TierPriority[];
}

export const NO_AGEING: PriorityAgeing = { everySeconds: 0, increment: 0, max: 0 };

/** Used for a queue without a configured policy: any member of the queue, never expires. */
export function defaultPolicy(queueId: string): RoutingPolicy {
  return {
    policyId: `default:${queueId}`, version: 1, queueId, strategy: 'longest-idle',
    steps: [{ requirements: [], expirySeconds: null, extraQueueIds: [], teamIds: [], agentIds: [] }],
    finalAction: { kind: 'keep-waiting' }, basePriority: 0, ageing: NO_AGEING, essentialSkillIds: [],
  };
}

/** The head start of a caller tier under this policy (0 for no tier, or one the policy does not name). */
export function tierBoost(policy: RoutingPolicy, callerTier: string | undefined): number {
  if (callerTier === undefined || policy.tierPriorities === undefined) return 0;
  for (const t of policy.tierPriorities) if (t.tier === callerTier) return t.boost;
  return 0;
}

/** `basePriority` + the tier's head start + one `increment` per `everySeconds` waited, the last two capped at `max`. */
export function agedPriority(policy: RoutingPolicy, waitMs: number, callerTier?: string): number {
  const { everySeconds, increment, max } = policy.ageing;
  const boost = tierBoost(policy, callerTier);
  if (everySeconds <= 0) return policy.basePriority + Math.min(max, boost);
  const steps = Math.floor(waitMs / (everySeconds * 1000));
  return policy.basePriority + Math.min(max, boost + steps * increment);
}

/**
 * How long (ms) a call of boost `lower` must have queued before one of boost `higher` for the latter never to go
 * ahead of it in the same queue and step; undefined when no wait suffices (a boost without ageing).
 */
export function overtakingBoundMs(policy: RoutingPolicy, higher: number, lower: number): number | undefined {
  const lead = higher - lower;
  if (lead <= 0) return 0;
  const { everySeconds, increment } = policy.ageing;
  if (everySeconds <= 0 || increment <= 0) return undefined;
  return Math.ceil(lead / increment) * everySeconds * 1000;
}

/** The concrete targeting of a call's current step, after group merging is applied. */
export interface ActiveStep {
  readonly index: number;
  readonly policy: RoutingPolicy;
  readonly requirements: readonly SkillRequirement[];
  readonly poolQueueIds: ReadonlySet<string>;
  readonly teamIds: ReadonlySet<string>;
  readonly agentIds: ReadonlySet<string>;
  readonly merged: boolean;
}

/** `mergedQueues`: every queue of the active merge group containing the call's queue (empty when not merged). */
export function activeStep(policy: RoutingPolicy, index: number, mergedQueues: ReadonlySet<string>): ActiveStep {
  const step = policy.steps[index];
  const merged = mergedQueues.size > 0;
  const pool = new Set([policy.queueId, ...step.extraQueueIds, ...mergedQueues]);
  const requirements = merged ? step.requirements.filter((r) => policy.essentialSkillIds.includes(r.skillId)) : step.requirements;
  return {
    index, policy, requirements, poolQueueIds: pool, merged,
    teamIds: new Set(merged ? [] : step.teamIds), agentIds: new Set(merged ? [] : step.agentIds),
  };
}

/** The skill an explanation and `most-skilled` ranking refer to: the step's first requirement. */
export const primarySkillOf = (step: ActiveStep): string | null => step.requirements[0]?.skillId ?? null;
