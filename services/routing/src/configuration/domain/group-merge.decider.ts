import type { Decider } from '@switchboard/decider';
import { InvalidArgumentError, PreconditionFailedError } from '@switchboard/domain-errors';

/** 合大组 (RT-04): a merge group pools several queues' agents while staffing is short; stream `group-merge-<groupId>`. */
export type GroupsMerged = {
  readonly type: 'GroupsMerged';
  readonly data: { readonly groupId: string; readonly queueIds: readonly string[]; readonly reason: string; readonly mergedBy: string; readonly at: string };
};
export type GroupsSplit = {
  readonly type: 'GroupsSplit';
  readonly data: { readonly groupId: string; readonly reason: string; readonly splitBy: string; readonly at: string };
};
export type GroupMergeEvent = GroupsMerged | GroupsSplit;

export type GroupMergeCommand =
  | { readonly type: 'MergeGroups'; readonly data: GroupsMerged['data'] }
  | { readonly type: 'SplitGroups'; readonly data: GroupsSplit['data'] };

export type GroupMergeState =
  | { readonly status: 'split' }
  | { readonly status: 'merged'; readonly queueIds: readonly string[]; readonly since: string };

export function mergeGroups(c: GroupsMerged['data'], s: GroupMergeState): GroupMergeEvent[] {
  if (new Set(c.queueIds).size < 2) throw new InvalidArgumentError('ROUTING.MERGE_NEEDS_TWO_QUEUES', 'merge at least two queues', [{ field: 'queueIds', description: 'two or more distinct queues' }]);
  if (s.status === 'merged') throw new PreconditionFailedError('ROUTING.GROUP_ALREADY_MERGED', `group ${c.groupId} is merged since ${s.since}; split it first`);
  return [{ type: 'GroupsMerged', data: { ...c, queueIds: [...new Set(c.queueIds)] } }];
}

export function splitGroups(c: GroupsSplit['data'], s: GroupMergeState): GroupMergeEvent[] {
  if (s.status !== 'merged') throw new PreconditionFailedError('ROUTING.GROUP_NOT_MERGED', `group ${c.groupId} is not merged`);
  return [{ type: 'GroupsSplit', data: c }];
}

export const groupMergeDecider: Decider<GroupMergeCommand, GroupMergeEvent, GroupMergeState> = {
  decide: (c, s) => (c.type === 'MergeGroups' ? mergeGroups(c.data, s) : splitGroups(c.data, s)),
  evolve: (_s, e) => (e.type === 'GroupsMerged' ? { status: 'merged', queueIds: e.data.queueIds, since: e.data.at } : { status: 'split' }),
  initialState: () => ({ status: 'split' }),
};
