/**
 * What routing knows right now about agents and waiting calls. Times are epoch milliseconds handed in with each
 * input; nothing here reads a clock.
 */
export type AgentAvailability =
  | { readonly status: 'ready'; readonly since: number }
  /** Routing offered a call and the PBX is ringing / bridging it: one call in flight. */
  | { readonly status: 'reserved'; readonly callId: string; readonly since: number }
  | { readonly status: 'on-call'; readonly callId: string; readonly since: number }
  | { readonly status: 'wrap-up'; readonly callId: string; readonly since: number }
  | { readonly status: 'not-ready'; readonly reason: string; readonly since: number }
  | { readonly status: 'logged-out'; readonly since: number };

export interface LiveAgent {
  readonly agentId: string;
  readonly teamId: string;
  readonly queueIds: ReadonlySet<string>;
  /** Routable skills only (certified or granted, not revoked): skill id -> proficiency 1..5. */
  readonly skills: ReadonlyMap<string, number>;
  readonly availability: AgentAvailability;
  /** Time spent on calls this session; the `least-occupied` key. */
  readonly occupiedMs: number;
  /** Sequence number of the last offer to this agent (0 = never); the `round-robin` key. */
  readonly lastOfferSeq: number;
  /** Team leaders only (RT-06): their share of the team's recent offers, against the director's ratio. */
  readonly leaderShare?: LeaderShare;
}

/**
 * A team leader's part of the last `of` offers to their team (`taken`), and whether one more offer would put it
 * above `ratio`: then the leader takes no call until the team's offers dilute the share again.
 */
export interface LeaderShare {
  readonly taken: number;
  readonly of: number;
  readonly ratio: number;
  readonly reached: boolean;
  /** The team whose own ratio (set by the director for it) `ratio` is; absent = the centre-wide ratio. */
  readonly ownRatioOf?: string;
}

export interface WaitingCall {
  readonly callId: string;
  readonly queueId: string;
  /** Ordinal of the call's visit to a queue (a call transferred back into a queue starts visit 2). */
  readonly queueVisit: number;
  readonly enqueuedAt: number;
  readonly stepIndex: number;
  readonly stepStartedAt: number;
  /** Offer ordinal of the next offer (1 = first). */
  readonly attempt: number;
  /** Agents that let this call ring out: never offered it again (a refused offer only holds the agent back briefly). */
  readonly excludedAgentIds: ReadonlySet<string>;
  /** Customer tier the PBX attached when the call queued (RT-11); absent = standard. */
  readonly callerTier?: string;
}

export const proficiencyOf = (agent: LiveAgent, skillId: string | null): number =>
  skillId === null ? 0 : (agent.skills.get(skillId) ?? 0);

export const idleMs = (agent: LiveAgent, now: number): number =>
  agent.availability.status === 'ready' ? Math.max(0, now - agent.availability.since) : 0;
