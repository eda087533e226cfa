import type { Decider } from '@switchboard/decider';
import { InvalidArgumentError, type FieldViolation } from '@switchboard/domain-errors';

/** Queues (service lines mapped from PBX queues) and skills: streams `queue-<id>` and `skill-<id>`. */
export interface QueueDefinition {
  readonly queueId: string; readonly name: string; readonly skillId: string;
  readonly serviceLevelThresholdSeconds: number; readonly serviceLevelTargetPercent: number; readonly maxWaitingCalls: number;
}
export interface SkillDefinition {
  readonly skillId: string; readonly name: string; readonly category: string;
}

export type QueueDefined = { readonly type: 'QueueDefined'; readonly data: { readonly queue: QueueDefinition; readonly by: string; readonly at: string } };
export type SkillDefined = { readonly type: 'SkillDefined'; readonly data: { readonly skill: SkillDefinition; readonly by: string; readonly at: string } };
export type DefineQueue = { readonly type: 'DefineQueue'; readonly data: QueueDefined['data'] };
export type DefineSkill = { readonly type: 'DefineSkill'; readonly data: SkillDefined['data'] };
export type Definition<T> = { readonly status: 'undefined' } | { readonly status: 'defined'; readonly value: T; readonly version: number };

const blank = (s: string) => s.trim() === '';
const required = (fields: Record<string, string>): FieldViolation[] =>
  Object.entries(fields).filter(([, v]) => blank(v)).map(([field]) => ({ field, description: 'required' }));

export function queueViolations(q: QueueDefinition): FieldViolation[] {
  return [
    ...required({ 'queue.queueId': q.queueId, 'queue.name': q.name }),
    ...(q.serviceLevelTargetPercent < 0 || q.serviceLevelTargetPercent > 100 ? [{ field: 'queue.serviceLevelTargetPercent', description: '0..100' }] : []),
    ...(q.serviceLevelThresholdSeconds < 0 ? [{ field: 'queue.serviceLevelThresholdSeconds', description: 'not negative' }] : []),
    ...(q.maxWaitingCalls < 0 ? [{ field: 'queue.maxWaitingCalls', description: 'not negative (0 = unlimited)' }] : []),
  ];
}

function check(code: string, bad: FieldViolation[]): void {
  if (bad.length > 0) throw new InvalidArgumentError(code, 'the definition is invalid', bad);
}

/** Upsert: re-defining with the same content records nothing. */
const unchanged = <T>(state: Definition<T>, value: T) => state.status === 'defined' && JSON.stringify(state.value) === JSON.stringify(value);
const next = <T>(state: Definition<T>, value: T): Definition<T> => ({ status: 'defined', value, version: state.status === 'defined' ? state.version + 1 : 1 });

export const queueDecider: Decider<DefineQueue, QueueDefined, Definition<QueueDefinition>> = {
  decide: ({ data }, state) => {
    check('ROUTING.INVALID_QUEUE', queueViolations(data.queue));
    return unchanged(state, data.queue) ? [] : [{ type: 'QueueDefined', data }];
  },
  evolve: (state, e) => next(state, e.data.queue),
  initialState: () => ({ status: 'undefined' }),
};

export const skillDecider: Decider<DefineSkill, SkillDefined, Definition<SkillDefinition>> = {
  decide: ({ data }, state) => {
    check('ROUTING.INVALID_SKILL', required({ 'skill.skillId': data.skill.skillId, 'skill.name': data.skill.name }));
    return unchanged(state, data.skill) ? [] : [{ type: 'SkillDefined', data }];
  },
  evolve: (state, e) => next(state, e.data.skill),
  initialState: () => ({ status: 'undefined' }),
};
