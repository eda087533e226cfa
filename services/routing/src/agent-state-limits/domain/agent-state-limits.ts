/**
 * Agent-state limits (RT-07): busy (置忙) ≤ 5 min, short break ≤ 10 min with at most 2 of a team at once, meal
 * ≤ 30 min, away from the seat > 15 min only with the team leader's approval. Pure: the caller passes the agents'
 * current states, `now` (epoch ms) and the alerts already raised, and publishes what comes back.
 */
export interface AgentStateLimitPolicy {
  readonly busyMaxSeconds: number;
  readonly breakMaxSeconds: number;
  readonly mealMaxSeconds: number;
  readonly maxOnBreakPerTeam: number;
  readonly awayWithoutApprovalMaxSeconds: number;
  /** Not-ready reasons that are work, not absence, so never count as "away" (scheduled meetings, training, ACW). */
  readonly workReasons: readonly string[];
}

export const DEFAULT_STATE_LIMITS: AgentStateLimitPolicy = {
  busyMaxSeconds: 5 * 60, breakMaxSeconds: 10 * 60, mealMaxSeconds: 30 * 60, maxOnBreakPerTeam: 2,
  awayWithoutApprovalMaxSeconds: 15 * 60, workReasons: ['meeting', 'training', 'after-call-work'],
};

export interface AgentStateSnapshot {
  readonly agentId: string;
  readonly teamId: string;
  readonly state: { readonly status: 'not-ready'; readonly reason: string; readonly since: number } | { readonly status: 'available-or-working' };
  /** End of a team leader's approval to be away (epoch ms), or null. */
  readonly awayApprovedUntil: number | null;
}

export type StateLimit = 'busy' | 'break' | 'meal' | 'away-without-approval';

export type AgentStateLimitExceeded = {
  readonly type: 'AgentStateLimitExceeded';
  readonly data: {
    readonly agentId: string; readonly teamId: string; readonly limit: StateLimit; readonly reason: string;
    readonly since: number; readonly limitSeconds: number; readonly elapsedSeconds: number; readonly at: number;
  };
};

export type TeamBreakLimitExceeded = {
  readonly type: 'TeamBreakLimitExceeded';
  readonly data: { readonly teamId: string; readonly agentIds: readonly string[]; readonly maxOnBreak: number; readonly at: number };
};

export type StateLimitAlert = AgentStateLimitExceeded | TeamBreakLimitExceeded;

/** The limits an agent's current not-ready episode breaks. */
function brokenLimits(a: AgentStateSnapshot, p: AgentStateLimitPolicy, now: number): { limit: StateLimit; limitSeconds: number }[] {
  if (a.state.status !== 'not-ready') return [];
  const { reason, since } = a.state;
  const elapsed = (now - since) / 1000;
  const byReason: Record<string, [StateLimit, number]> = { busy: ['busy', p.busyMaxSeconds], break: ['break', p.breakMaxSeconds], meal: ['meal', p.mealMaxSeconds] };
  const own = byReason[reason];
  const out = own !== undefined && elapsed > own[1] ? [{ limit: own[0], limitSeconds: own[1] }] : [];
  const approved = a.awayApprovedUntil !== null && a.awayApprovedUntil >= now;
  const away = reason !== 'meal' && !p.workReasons.includes(reason) && !approved && elapsed > p.awayWithoutApprovalMaxSeconds;
  return away ? [...out, { limit: 'away-without-approval', limitSeconds: p.awayWithoutApprovalMaxSeconds }] : out;
}

/** Identity of an alert: an agent's limit per not-ready episode, a team's break limit per set of agents. */
export function alertKey(alert: StateLimitAlert): string {
  return alert.type === 'AgentStateLimitExceeded'
    ? `${alert.data.agentId}:${alert.data.limit}:${alert.data.since}`
    : `${alert.data.teamId}:break:${alert.data.agentIds.join(',')}`;
}

function agentAlerts(agents: readonly AgentStateSnapshot[], p: AgentStateLimitPolicy, now: number, raised: ReadonlySet<string>) {
  return agents.flatMap((a) => brokenLimits(a, p, now)
    .map(({ limit, limitSeconds }) => {
      const st = a.state as Extract<AgentStateSnapshot['state'], { status: 'not-ready' }>;
      const alert: AgentStateLimitExceeded = { type: 'AgentStateLimitExceeded', data: {
        agentId: a.agentId, teamId: a.teamId, limit, reason: st.reason, since: st.since, limitSeconds, elapsedSeconds: Math.floor((now - st.since) / 1000), at: now } };
      return { key: alertKey(alert), alert };
    })
    .filter(({ key }) => !raised.has(key)));
}

function teamAlerts(agents: readonly AgentStateSnapshot[], p: AgentStateLimitPolicy, now: number, raised: ReadonlySet<string>) {
  const onBreak = new Map<string, string[]>();
  for (const a of agents) if (a.state.status === 'not-ready' && a.state.reason === 'break') onBreak.set(a.teamId, [...(onBreak.get(a.teamId) ?? []), a.agentId]);
  return [...onBreak].filter(([, ids]) => ids.length > p.maxOnBreakPerTeam)
    .map(([teamId, ids]) => ({ teamId, agentIds: [...ids].sort() }))
    .map((t) => ({ type: 'TeamBreakLimitExceeded', data: { ...t, maxOnBreak: p.maxOnBreakPerTeam, at: now } }) as TeamBreakLimitExceeded)
    .map((alert) => ({ key: alertKey(alert), alert }))
    .filter(({ key }) => !raised.has(key));
}

/** New alerts only: each broken limit is raised once per not-ready episode (or per set of agents on break). */
export function evaluateStateLimits(agents: readonly AgentStateSnapshot[], policy: AgentStateLimitPolicy, now: number, raised: ReadonlySet<string>):
  { alerts: StateLimitAlert[]; raised: Set<string> } {
  const found = [...agentAlerts(agents, policy, now, raised), ...teamAlerts(agents, policy, now, raised)];
  return { alerts: found.map((f) => f.alert), raised: new Set([...raised, ...found.map((f) => f.key)]) };
}
