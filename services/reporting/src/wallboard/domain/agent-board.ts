/** One logged-in agent as the wallboard shows it. */
export interface BoardAgent {
  readonly agentId: string;
  readonly tenant: string;
  readonly site: string;
  readonly state: string;
  readonly reason: string | null;
  readonly secondsInState: number;
  readonly queueIds: readonly string[];
  /** The time-in-state limit that applies, if any (by not-ready reason first, then by state). */
  readonly limitSeconds?: number;
  readonly breached: boolean;
}

export interface LiveAgent {
  readonly agentId: string;
  readonly tenant: string;
  readonly site: string;
  readonly state: string;
  readonly reason: string | null;
  readonly secondsInState: number;
  readonly queueIds: readonly string[];
}

/** Limits are keyed by not-ready reason (`busy`, `break`, `meal`) or by state (`wrap-up`); a reason wins. */
export function limitFor(agent: Pick<LiveAgent, 'state' | 'reason'>, limits: Readonly<Record<string, number>>): number | undefined {
  if (agent.reason !== null && limits[agent.reason] !== undefined) return limits[agent.reason];
  return limits[agent.state];
}

/** RT-07: a state held longer than its limit is a breach (strictly longer: exactly 5:00 of busy is still allowed). */
export function toBoardAgent(agent: LiveAgent, limits: Readonly<Record<string, number>>): BoardAgent {
  const limitSeconds = limitFor(agent, limits);
  return {
    agentId: agent.agentId, tenant: agent.tenant, site: agent.site, state: agent.state, reason: agent.reason, secondsInState: Math.floor(agent.secondsInState), queueIds: agent.queueIds,
    ...(limitSeconds === undefined ? {} : { limitSeconds }),
    breached: limitSeconds !== undefined && agent.secondsInState > limitSeconds,
  };
}

/**
 * What changes the board: who is in which state since when, and breaches. Seconds ticking on is not a change
 * (the page counts them itself); `sinceEpochSecond` is `asOf - secondsInState`, stable while a state lasts.
 */
export function boardFingerprint(asOfMs: number, agents: readonly BoardAgent[]): string {
  return JSON.stringify(agents.map((a) => [a.agentId, a.state, a.reason, a.queueIds, a.breached, Math.round(asOfMs / 1000 - a.secondsInState)]));
}
