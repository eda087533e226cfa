import fc from 'fast-check';
import { AGENT_STRATEGIES, type FinalAction, type PolicyStep, type RoutingPolicy } from '../domain/routing-policy';
import { policy, step } from './engine-spec';

export const SKILLS = ['s1', 's2', 's3', 's4'];
export const QUEUES = ['q1', 'q2', 'q3'];
export const TEAMS = ['t1', 't2'];
export const TIERS = ['vip', 'gold'];
export const RATIOS = [0, 0.1, 0.25, 0.5, 1];
/** Tiers a policy step may be restricted to: the calls' tiers and `standard` (calls without one). */
export const STEP_TIERS = [...TIERS, 'standard'];

const requirement = fc.record({ skillId: fc.constantFrom(...SKILLS), minProficiency: fc.integer({ min: 1, max: 5 }) });
const finalAction: fc.Arbitrary<FinalAction> = fc.oneof(
  fc.constant({ kind: 'keep-waiting' } as const), fc.constant({ kind: 'callback-offer' } as const),
  fc.constant({ kind: 'unroutable' } as const), fc.constantFrom(...QUEUES).map((queueId) => ({ kind: 'move-to-queue', queueId }) as const));

const policyStep = fc.record({
  requirements: fc.uniqueArray(requirement, { maxLength: 2, selector: (r) => r.skillId }),
  expirySeconds: fc.option(fc.integer({ min: 1, max: 60 }), { nil: null }),
  extraQueueIds: fc.subarray(QUEUES, { maxLength: 2 }),
  teamIds: fc.oneof(fc.constant([]), fc.subarray(TEAMS, { minLength: 1 })),
  agentIds: fc.oneof({ weight: 4, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: fc.subarray(['a0', 'a1', 'a2'], { minLength: 1 }) }),
  callerTiers: fc.oneof({ weight: 2, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: fc.subarray(STEP_TIERS, { minLength: 1, maxLength: 2 }) }),
  dedicated: fc.boolean(),
}).map(({ callerTiers, dedicated, ...s }) => step(callerTiers.length === 0 ? s
  : { ...s, callerTiers, ...(dedicated && s.teamIds.length + s.agentIds.length > 0 ? { dedicated } : {}) }));

/** As the policy decider requires: some step serves every tier (the last one, when none does). */
const servingEveryTier = (steps: PolicyStep[]): PolicyStep[] => (steps.some((s) => (s.callerTiers ?? []).length === 0) ? steps
  : steps.map((s, i) => (i === steps.length - 1 ? step({ ...s, callerTiers: undefined, dedicated: undefined }) : s)));

export const policyFor = (queueId: string): fc.Arbitrary<RoutingPolicy> => fc.record({
  strategy: fc.constantFrom(...AGENT_STRATEGIES),
  steps: fc.array(policyStep, { minLength: 1, maxLength: 3 }),
  finalAction,
  basePriority: fc.integer({ min: 0, max: 3 }),
  ageing: fc.record({ everySeconds: fc.integer({ min: 0, max: 30 }), increment: fc.integer({ min: 0, max: 2 }), max: fc.integer({ min: 0, max: 5 }) }),
  essentialSkillIds: fc.subarray(SKILLS, { maxLength: 1 }),
  tierPriorities: fc.uniqueArray(fc.record({ tier: fc.constantFrom(...TIERS), boost: fc.integer({ min: 1, max: 5 }) }), { maxLength: 2, selector: (t) => t.tier }),
}).map(({ tierPriorities, ...p }) => policy(queueId, {
  ...p,
  steps: servingEveryTier(p.steps),
  // As the policy decider allows: a head start needs ageing on and stays within its cap.
  tierPriorities: p.ageing.everySeconds > 0 && p.ageing.increment > 0
    ? tierPriorities.filter((t) => t.boost <= p.ageing.max)
    : [],
}));

export const agentSpec = fc.record({
  skills: fc.dictionary(fc.constantFrom(...SKILLS), fc.integer({ min: 1, max: 5 }), { maxKeys: 3 }),
  queues: fc.subarray(QUEUES, { minLength: 1 }),
  team: fc.constantFrom(...TEAMS),
  leader: fc.oneof({ weight: 3, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
});

/** The director sets a team's own team-leader ratio, or (null) lets it follow the centre-wide one again. */
const teamRatio = fc.record({ kind: fc.constant('team-ratio' as const), team: fc.constantFrom(...TEAMS), ratio: fc.constantFrom(null, ...RATIOS) });

/** Intents resolved against the live state when applied ("the n-th offered call rings out"). */
export const intent = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('call' as const), queue: fc.constantFrom(...QUEUES), tier: fc.constantFrom(undefined, ...TIERS) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('ratio' as const), ratio: fc.constantFrom(...RATIOS) }) },
  { weight: 1, arbitrary: teamRatio },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('ready' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('not-ready' as const), pick: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('answer' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('rona' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('hang-up' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('abandon' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('refused' as const), pick: fc.nat(), stale: fc.boolean(), callNotWaiting: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('queued-again' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('membership' as const), pick: fc.nat(), queues: fc.subarray(QUEUES) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('queue-timeout' as const), pick: fc.nat(), otherVisit: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('requeue' as const), pick: fc.nat(), queue: fc.constantFrom(...QUEUES) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('tick' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('merge' as const), queues: fc.subarray(QUEUES, { minLength: 2 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('split' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reskill' as const), pick: fc.nat(), agent: agentSpec }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('logout' as const), pick: fc.nat() }) },
);

export type Intent = typeof intent extends fc.Arbitrary<infer T> ? T : never;

export const scenario = fc.record({
  policies: fc.tuple(...QUEUES.map(policyFor)),
  teamLeaderRatio: fc.constantFrom(...RATIOS),
  agents: fc.array(agentSpec, { minLength: 1, maxLength: 8 }),
  steps: fc.array(fc.tuple(intent, fc.integer({ min: 0, max: 15_000 })), { minLength: 1, maxLength: 60 }),
});

/**
 * A floor where everyone may take every call (no skills, every queue) and tiered calls queue often: team leaders
 * and tier priority come into play in most runs.
 */
export const busyFloor = fc.record({
  policies: fc.tuple(...QUEUES.map((queueId) => fc.record({
    basePriority: fc.integer({ min: 0, max: 1 }),
    ageing: fc.record({ everySeconds: fc.integer({ min: 1, max: 20 }), increment: fc.integer({ min: 1, max: 2 }), max: fc.integer({ min: 3, max: 6 }) }),
    boosts: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
  }).map(({ boosts, ...p }) => policy(queueId, { ...p, strategy: 'longest-idle', tierPriorities: TIERS.map((tier, i) => ({ tier, boost: boosts[i] })) })))),
  teamLeaderRatio: fc.constantFrom(0.25, 0.5, 1),
  agents: fc.array(fc.record({ skills: fc.constant({}), queues: fc.constant(QUEUES), team: fc.constantFrom(...TEAMS), leader: fc.boolean() }), { minLength: 2, maxLength: 6 }),
  steps: fc.array(fc.tuple(fc.oneof(
    { weight: 6, arbitrary: fc.record({ kind: fc.constant('call' as const), queue: fc.constantFrom(...QUEUES), tier: fc.constantFrom(undefined, ...TIERS) }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('ready' as const), pick: fc.nat() }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('answer' as const), pick: fc.nat() }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('hang-up' as const), pick: fc.nat() }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('rona' as const), pick: fc.nat() }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('ratio' as const), ratio: fc.constantFrom(...RATIOS) }) },
    { weight: 1, arbitrary: teamRatio },
  ) as fc.Arbitrary<Intent>, fc.integer({ min: 0, max: 15_000 })), { minLength: 10, maxLength: 80 }),
});

/**
 * A floor where every queue's policy opens with a step for some caller tiers only (often a dedicated desk of team t1),
 * then widens to every call: tier-restricted steps and dedicated desks come into play in most runs.
 */
export const tieredFloor = fc.record({
  policies: fc.tuple(...QUEUES.map((queueId) => fc.record({
    tiers: fc.subarray(STEP_TIERS, { minLength: 1, maxLength: 2 }),
    dedicated: fc.boolean(),
    desk: fc.oneof(fc.constant({ teamIds: ['t1'], agentIds: [] }), fc.constant({ teamIds: [], agentIds: ['a0', 'a1'] })),
    expirySeconds: fc.integer({ min: 1, max: 40 }),
    widen: fc.boolean(),
  }).map(({ tiers, dedicated, desk, expirySeconds, widen }) => policy(queueId, {
    strategy: 'longest-idle',
    ageing: { everySeconds: 10, increment: 1, max: 3 }, tierPriorities: [{ tier: 'vip', boost: 2 }],
    steps: [
      step({ ...desk, callerTiers: tiers, expirySeconds, ...(dedicated ? { dedicated } : {}) }),
      ...(widen ? [step({ callerTiers: ['gold'], expirySeconds: 20 })] : []),
      step(),
    ],
  })))),
  teamLeaderRatio: fc.constantFrom(0, 0.5),
  agents: fc.array(fc.record({ skills: fc.constant({}), queues: fc.subarray(QUEUES, { minLength: 1 }), team: fc.constantFrom(...TEAMS), leader: fc.constant(false) }), { minLength: 2, maxLength: 6 }),
  steps: fc.array(fc.tuple(fc.oneof(
    { weight: 6, arbitrary: fc.record({ kind: fc.constant('call' as const), queue: fc.constantFrom(...QUEUES), tier: fc.constantFrom(undefined, ...TIERS) }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('ready' as const), pick: fc.nat() }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('answer' as const), pick: fc.nat() }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('hang-up' as const), pick: fc.nat() }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('rona' as const), pick: fc.nat() }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('tick' as const) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('merge' as const), queues: fc.subarray(QUEUES, { minLength: 2 }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('split' as const) }) },
  ) as fc.Arbitrary<Intent>, fc.integer({ min: 0, max: 15_000 })), { minLength: 10, maxLength: 80 }),
});
