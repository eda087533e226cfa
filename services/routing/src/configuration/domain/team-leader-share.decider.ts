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

/**
 * RT-06 per team: the director gives one team's leaders a ratio of their own (a team short of agents leans on its
 * leader more), overriding the centre-wide ratio for them; clearing it returns the team to the centre-wide ratio.
 * Stream `team-leader-share-<teamId>`; audited like the centre-wide ratio (who, why, the ratio replaced).
 */
export type TeamLeaderTeamRatioSet = {
  readonly type: 'TeamLeaderTeamRatioSet';
  /** `previousRatio`: the team's own ratio it replaced, null when the team followed the centre-wide ratio. */
  readonly data: { readonly teamId: string; readonly ratio: number; readonly previousRatio: number | null; readonly reason: string; readonly setBy: string; readonly at: string };
};
export type TeamLeaderTeamRatioCleared = {
  readonly type: 'TeamLeaderTeamRatioCleared';
  readonly data: { readonly teamId: string; readonly previousRatio: number; readonly reason: string; readonly setBy: string; readonly at: string };
};
export type TeamLeaderTeamShareEvent = TeamLeaderTeamRatioSet | TeamLeaderTeamRatioCleared;
export type SetTeamLeaderTeamRatio = {
  readonly type: 'SetTeamLeaderTeamRatio';
  /** `ratio` null: clear the team's own ratio. `setByRoles`: the caller's roles from its token (director only). */
  readonly data: { readonly teamId: string; readonly ratio: number | null; readonly reason: string; readonly setBy: string; readonly setByRoles: readonly string[]; readonly at: string };
};
/** The team's own ratio (null: it follows the centre-wide one). */
export type TeamLeaderTeamShareState = { readonly ratio: number | null; readonly version: number };

const TEAM_STREAM_PREFIX = `${teamLeaderShareStream}-`;
export const teamLeaderTeamShareStream = (teamId: string) => `${TEAM_STREAM_PREFIX}${teamId}`;
/** The team of a per-team ratio stream, or undefined for any other stream (the centre-wide one included). */
export const teamOfShareStream = (streamId: string): string | undefined =>
  (streamId.startsWith(TEAM_STREAM_PREFIX) ? streamId.slice(TEAM_STREAM_PREFIX.length) : undefined);

function teamViolations(c: SetTeamLeaderTeamRatio['data']): FieldViolation[] {
  return [
    ...(c.teamId.trim() === '' ? [{ field: 'team_id', description: 'required' }] : []),
    ...(c.ratio === null ? [] : violations({ ...c, ratio: c.ratio })),
    ...(c.ratio === null && c.reason.trim().length < 3 ? [{ field: 'reason', description: 'say why (e.g. the traffic change)' }] : []),
  ];
}

export function setTeamLeaderTeamRatio(c: SetTeamLeaderTeamRatio, s: TeamLeaderTeamShareState): TeamLeaderTeamShareEvent[] {
  const { teamId, ratio, reason, setBy, setByRoles, at } = c.data;
  if (!setByRoles.includes('director')) throw new PermissionDeniedError('ROUTING.DIRECTOR_ONLY', 'only the call-center director may change a team-leader handling ratio');
  const bad = teamViolations(c.data);
  if (bad.length > 0) throw new InvalidArgumentError('ROUTING.INVALID_TEAM_LEADER_RATIO', 'the team-leader handling ratio is invalid', bad);
  if (ratio === s.ratio) return [];
  if (ratio === null) return [{ type: 'TeamLeaderTeamRatioCleared', data: { teamId, previousRatio: s.ratio!, reason, setBy, at } }];
  return [{ type: 'TeamLeaderTeamRatioSet', data: { teamId, ratio, previousRatio: s.ratio, reason, setBy, at } }];
}

export const teamLeaderTeamShareDecider: Decider<SetTeamLeaderTeamRatio, TeamLeaderTeamShareEvent, TeamLeaderTeamShareState> = {
  decide: setTeamLeaderTeamRatio,
  evolve: (s, e) => ({ ratio: e.type === 'TeamLeaderTeamRatioSet' ? e.data.ratio : null, version: s.version + 1 }),
  initialState: () => ({ ratio: null, version: 0 }),
};
