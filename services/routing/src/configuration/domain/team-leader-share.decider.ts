import type { Decider } from '@switchboard/decider';
import { InvalidArgumentError, PermissionDeniedError, type FieldViolation } from '@switchboard/domain-errors';
import { DEFAULT_TEAM_LEADER_RATIO } from '../../matching/domain/team-leader-share';

/**
 * RT-06: the share of their team's calls team leaders take, set by the director as traffic changes. One stream for
 * the whole center (`team-leader-share`); every change is audited with who, why and the ratio it replaced.
 */
export type TeamLeaderHandlingRatioSet = {
  readonly type: 'TeamLeaderHandlingRatioSet';
  readonly data: { readonly ratio: number; readonly previousRatio: number; readonly reason: string; readonly setBy: string; readonly at: string };
};
export type SetTeamLeaderHandlingRatio = {
  readonly type: 'SetTeamLeaderHandlingRatio';
  /** `setByRoles`: the caller's roles from its token; only a director may change the ratio. */
  readonly data: { readonly ratio: number; readonly reason: string; readonly setBy: string; readonly setByRoles: readonly string[]; readonly at: string };
};
export type TeamLeaderShareState = { readonly ratio: number; readonly version: number };

export const teamLeaderShareStream = 'team-leader-share';

function violations(c: SetTeamLeaderHandlingRatio['data']): FieldViolation[] {
  return [
    ...(Number.isFinite(c.ratio) && c.ratio >= 0 && c.ratio <= 1 ? [] : [{ field: 'ratio', description: 'from 0 (team leaders take no calls) to 1' }]),
    ...(c.reason.trim().length < 3 ? [{ field: 'reason', description: 'say why (e.g. the traffic change)' }] : []),
  ];
}

export function setTeamLeaderHandlingRatio(c: SetTeamLeaderHandlingRatio, s: TeamLeaderShareState): TeamLeaderHandlingRatioSet[] {
  const { ratio, reason, setBy, setByRoles, at } = c.data;
  if (!setByRoles.includes('director')) throw new PermissionDeniedError('ROUTING.DIRECTOR_ONLY', 'only the call-center director may change the team-leader handling ratio');
  const bad = violations(c.data);
  if (bad.length > 0) throw new InvalidArgumentError('ROUTING.INVALID_TEAM_LEADER_RATIO', 'the team-leader handling ratio is invalid', bad);
  if (ratio === s.ratio) return [];
  return [{ type: 'TeamLeaderHandlingRatioSet', data: { ratio, previousRatio: s.ratio, reason, setBy, at } }];
}

export const teamLeaderShareDecider: Decider<SetTeamLeaderHandlingRatio, TeamLeaderHandlingRatioSet, TeamLeaderShareState> = {
  decide: setTeamLeaderHandlingRatio,
  evolve: (s, e) => ({ ratio: e.data.ratio, version: s.version + 1 }),
  initialState: () => ({ ratio: DEFAULT_TEAM_LEADER_RATIO, version: 0 }),
};
