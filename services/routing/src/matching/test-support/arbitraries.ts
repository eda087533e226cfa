import fc from 'fast-check';
import { AGENT_STRATEGIES, type FinalAction, type RoutingPolicy } from '../domain/routing-policy';
import { policy, step } from './engine-spec';

export const SKILLS = ['s1', 's2', 's3', 's4'];
export const QUEUES = ['q1', 'q2', 'q3'];
export const TEAMS = ['t1', 't2'];

const requirement = fc.record({ skillId: fc.constantFrom(...SKILLS), minProficiency: fc.integer({ min: 1, max: 5 }) });
const finalAction: fc.Arbitrary<FinalAction> = fc.oneof(
  fc.constant({ kind: 'keep-waiting' } as const), fc.constant({ kind: 'callback-offer' } as const),
  fc.constant({ kind: 'unroutable' } as const), fc.constantFrom(...QUEUES).map((queueId) => ({ kind: 'move-to-queue', queueId }) as const));

const policyStep = fc.record({
  requirements: fc.uniqueArray(requirement, { maxLength: 2, selector: (r) => r.skillId }),
  expirySeconds: fc.option(fc.integer({ min: 1, max: 60 }), { nil: null }),
  extraQueueIds: fc.subarray(QUEUES, { maxLength: 2 }),
  teamIds: fc.oneof(fc.constant([]), fc.subarray(TEAMS, { minLength: 1 })),
}).map((s) => step(s));

export const policyFor = (queueId: string): fc.Arbitrary<RoutingPolicy> => fc.record({
  strategy: fc.constantFrom(...AGENT_STRATEGIES),
  steps: fc.array(policyStep, { minLength: 1, maxLength: 3 }),
  finalAction,
  basePriority: fc.integer({ min: 0, max: 3 }),
  ageing: fc.record({ everySeconds: fc.integer({ min: 0, max: 30 }), increment: fc.integer({ min: 0, max: 2 }), max: fc.integer({ min: 0, max: 5 }) }),
  essentialSkillIds: fc.subarray(SKILLS, { maxLength: 1 }),
}).map((p) => policy(queueId, p));

export const agentSpec = fc.record({
  skills: fc.dictionary(fc.constantFrom(...SKILLS), fc.integer({ min: 1, max: 5 }), { maxKeys: 3 }),
  queues: fc.subarray(QUEUES, { minLength: 1 }),
  team: fc.constantFrom(...TEAMS),
});

/** Intents resolved against the live state when applied ("the n-th offered call rings out"). */
export const intent = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('call' as const), queue: fc.constantFrom(...QUEUES) }) },
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
  agents: fc.array(agentSpec, { minLength: 1, maxLength: 8 }),
  steps: fc.array(fc.tuple(intent, fc.integer({ min: 0, max: 15_000 })), { minLength: 1, maxLength: 60 }),
});
