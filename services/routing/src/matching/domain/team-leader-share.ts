import type { LeaderShare } from './live-state';

/**
 * RT-06: team leaders take calls part-time, as a last resort (only when no regular agent is eligible) and only up to
 * the director's ratio of their team's recent offers. The share is counted over the team's last offers rather than
 * over time, so it changes only when the team is offered a call and replays exactly.
 */
export const TEAM_LEADER_SHARE_WINDOW = 20;

/** Until the director sets a ratio, designated team leaders take no calls. */
export const DEFAULT_TEAM_LEADER_RATIO = 0;

/** Float slack, so that a ratio of exactly 1/4 lets the leader take 1 of 4 offers. */
const EPSILON = 1e-9;

/**
 * The leader's share of `recentOffers` (agent ids, oldest first); reached when one more offer would exceed `ratio`.
 * `ownRatioOf`: the team whose own ratio `ratio` is (absent: the centre-wide ratio).
 */
export function leaderShareOf(recentOffers: readonly string[], agentId: string, ratio: number, ownRatioOf?: string): LeaderShare {
  let taken = 0;
  for (const id of recentOffers) if (id === agentId) taken++;
  const of = recentOffers.length;
  const share = { taken, of, ratio, reached: taken + 1 > ratio * (of + 1) + EPSILON };
  return ownRatioOf === undefined ? share : { ...share, ownRatioOf };
}

export const sameShare = (a: LeaderShare | undefined, b: LeaderShare | undefined): boolean =>
  a === b || (a !== undefined && b !== undefined && a.taken === b.taken && a.of === b.of && a.ratio === b.ratio && a.reached === b.reached
    && a.ownRatioOf === b.ownRatioOf);

const percent = (ratio: number) => `${Math.round(ratio * 1000) / 10} %`;
const ratioPart = (s: LeaderShare) => (s.ownRatioOf === undefined ? `director's ratio ${percent(s.ratio)}` : `director's ratio for team ${s.ownRatioOf} ${percent(s.ratio)}`);

export const shareReachedReason = (s: LeaderShare): string =>
  `team leader share reached: took ${s.taken} of the team's last ${s.of} offers, ${ratioPart(s)}`;

export const lastResortReason = (s: LeaderShare): string =>
  `team leader as last resort (no regular agent eligible): ${s.taken} of the team's last ${s.of} offers so far, ${ratioPart(s)}`;
