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
  /**
   * RT-11: the caller tiers this step serves (`standard` = calls without a tier); absent or empty = every call. A call
   * of another tier skips the step: it enters at, and overflows to, the next step that serves its tier.
   */
  readonly callerTiers?: readonly string[];
  /**
   * With `callerTiers` and preferred teams or agents: those teams and agents are reserved for these tiers in this
   * policy, so no step of it offers them a call of another tier (a VIP desk standard callers never reach).
   */
  readonly dedicated?: boolean;
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

/** What a call without a tier is called in a step's `callerTiers`. */
export const STANDARD_TIER = 'standard';

export const tierOfCall = (callerTier: string | undefined): string => callerTier ?? STANDARD_TIER;

/** Whether `step` serves calls of `tier` (the call's tier, `standard` for none). */
export const servesTier = (step: PolicyStep, tier: string): boolean =>
  step.callerTiers === undefined || step.callerTiers.length === 0 || step.callerTiers.includes(tier);

/** The first step at or after `from` that serves `tier`; -1 when none does. */
export function nextStepFor(policy: RoutingPolicy, tier: string, from: number): number {
  for (let i = from; i < policy.steps.length; i++) if (servesTier(policy.steps[i], tier)) return i;
  return -1;
}

/**
 * Where a call of `tier` stands in the policy at (or nearest) `index`: that step if it serves the tier, else the next
 * one that does, else the last one before it that does. A validated policy always has a step serving every tier.
 */
export function stepForTier(policy: RoutingPolicy, tier: string, index: number): number {
  const at = Math.max(0, Math.min(index, policy.steps.length - 1));
  const next = nextStepFor(policy, tier, at);
  if (next >= 0) return next;
  for (let i = at - 1; i >= 0; i--) if (servesTier(policy.steps[i], tier)) return i;
  return at;
}

/** How many steps serving `tier` come before `index`: how far the call has overflowed (steps it skipped do not count). */
export function stepDepth(policy: RoutingPolicy, tier: string, index: number): number {
  let depth = 0;
  for (let i = 0; i < index; i++) if (servesTier(policy.steps[i], tier)) depth++;
  return depth;
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

/** The concrete targeting of a call's current step for a caller tier, after group merging is applied. */
export interface ActiveStep {
  readonly index: number;
  readonly policy: RoutingPolicy;
  readonly requirements: readonly SkillRequirement[];
  readonly poolQueueIds: ReadonlySet<string>;
  readonly teamIds: ReadonlySet<string>;
  readonly agentIds: ReadonlySet<string>;
  readonly merged: boolean;
  /** The call's tier (`standard` for none), whether this step serves it, and the step's own tier restriction (empty = all). */
  readonly tier: string;
  readonly servesCall: boolean;
  readonly callerTiers: readonly string[];
  /** Earlier steps the tier skipped (they serve other tiers only), and how many steps serving it came before. */
  readonly skippedSteps: readonly number[];
  readonly depth: number;
  /**
   * Teams and agents the policy's dedicated steps reserve for other tiers than this one: id -> why an agent of them
   * is rejected (worded once per step: eligibility runs on every scanned agent).
   */
  readonly reservedTeams: ReadonlyMap<string, string>;
  readonly reservedAgents: ReadonlyMap<string, string>;
  /** Why no agent may take the call at this step when it does not serve the call's tier; null when it does. */
  readonly tierMismatch: string | null;
  /** Whether any of the above can reject an agent (false for every step of a policy without tier rules). */
  readonly hasTierRules: boolean;
}

/** Teams and agents reserved by the policy's dedicated steps for tiers that do not include `tier`: id -> those tiers. */
function reservations(policy: RoutingPolicy, tier: string): { teams: Map<string, string[]>; agents: Map<string, string[]> } {
  const allowed = { teams: new Map<string, Set<string>>(), agents: new Map<string, Set<string>>() };
  for (const step of policy.steps) {
    if (step.dedicated !== true || step.callerTiers === undefined || step.callerTiers.length === 0) continue;
    for (const [ids, into] of [[step.teamIds, allowed.teams], [step.agentIds, allowed.agents]] as const) {
      for (const id of ids) into.set(id, new Set([...(into.get(id) ?? []), ...step.callerTiers]));
    }
  }
  const excluding = (m: Map<string, Set<string>>) => new Map([...m].filter(([, tiers]) => !tiers.has(tier)).map(([id, tiers]) => [id, [...tiers]]));
  return { teams: excluding(allowed.teams), agents: excluding(allowed.agents) };
}

/**
 * `mergedQueues`: every queue of the active merge group containing the call's queue (empty when not merged). Merging
 * drops preferred teams and agents, never a step's tier restriction or a dedicated desk's reservation.
 */
export function activeStep(policy: RoutingPolicy, index: number, mergedQueues: ReadonlySet<string>, callerTier?: string): ActiveStep {
  const step = policy.steps[index];
  const merged = mergedQueues.size > 0;
  const tier = tierOfCall(callerTier);
  const pool = new Set([policy.queueId, ...step.extraQueueIds, ...mergedQueues]);
  const requirements = merged ? step.requirements.filter((r) => policy.essentialSkillIds.includes(r.skillId)) : step.requirements;
  const reserved = reservations(policy, tier);
  const skippedSteps = policy.steps.slice(0, index).flatMap((s, i) => (servesTier(s, tier) ? [] : [i]));
  const servesCall = servesTier(step, tier);
  const why = (kind: string) => ([id, tiers]: [string, string[]]): [string, string] =>
    [id, `reserved for caller tiers ${tiers.join(', ')} (dedicated ${kind} ${id} in policy ${policy.policyId}), not ${tier}`];
  return {
    index, policy, requirements, poolQueueIds: pool, merged,
    teamIds: new Set(merged ? [] : step.teamIds), agentIds: new Set(merged ? [] : step.agentIds),
    tier, servesCall, callerTiers: step.callerTiers ?? [], skippedSteps, depth: index - skippedSteps.length,
    reservedTeams: new Map([...reserved.teams].map(why('team'))), reservedAgents: new Map([...reserved.agents].map(why('agent'))),
    tierMismatch: servesCall ? null : `step ${index} serves caller tiers ${(step.callerTiers ?? []).join(', ')} only, not ${tier}`,
    hasTierRules: !servesCall || reserved.teams.size > 0 || reserved.agents.size > 0,
  };
}

/** The skill an explanation and `most-skilled` ranking refer to: the step's first requirement. */
export const primarySkillOf = (step: ActiveStep): string | null => step.requirements[0]?.skillId ?? null;
