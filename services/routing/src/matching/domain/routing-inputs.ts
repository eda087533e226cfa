import type { RoutingPolicy } from './routing-policy';

/**
 * What the engine reacts to: telephony facts, configuration changes and the passing of time. `at` is epoch ms
 * and must not go backwards.
 */
export type RoutingInput =
  | { readonly type: 'AgentLoggedIn'; readonly agentId: string; readonly queueIds: readonly string[]; readonly at: number }
  | { readonly type: 'AgentLoggedOut'; readonly agentId: string; readonly at: number }
  /** A logged-in agent's PBX queue membership changed; `queueIds` is every queue the agent is in afterwards. */
  | { readonly type: 'AgentQueuesChanged'; readonly agentId: string; readonly queueIds: readonly string[]; readonly at: number }
  | { readonly type: 'AgentBecameReady'; readonly agentId: string; readonly at: number }
  | { readonly type: 'AgentBecameNotReady'; readonly agentId: string; readonly reason: string; readonly at: number }
  | { readonly type: 'AgentOnCall'; readonly agentId: string; readonly callId: string; readonly at: number }
  | { readonly type: 'AgentStartedWrapUp'; readonly agentId: string; readonly callId: string; readonly at: number }
  | { readonly type: 'AgentProfileChanged'; readonly agentId: string; readonly profile: AgentProfile; readonly at: number }
  /** `queueVisit` absent (journal entries older than the field) reads as 1; `callerTier` absent = standard (RT-11). */
  | { readonly type: 'CallQueued'; readonly callId: string; readonly queueId: string; readonly queueVisit?: number; readonly callerTier?: string; readonly at: number }
  | { readonly type: 'CallAnswered'; readonly callId: string; readonly agentId: string; readonly at: number }
  | { readonly type: 'CallReleased'; readonly callId: string; readonly agentId: string; readonly talkSeconds: number; readonly at: number }
  | { readonly type: 'CallAbandoned'; readonly callId: string; readonly queueVisit?: number; readonly at: number }
  /** The queue gave up on the call (queue timeout) and the dial plan took it elsewhere. */
  | { readonly type: 'CallQueueTimedOut'; readonly callId: string; readonly queueVisit: number; readonly at: number }
  /**
   * The gateway could not carry out the offer numbered `offerSeq` (`CallAssigned.offerSeq`); null when the failed
   * assignment is not one this router knows, which changes nothing. `problem`: whether the agent (unavailable,
   * refused) or the call (no longer waiting in a queue) stood in the way; absent (older journal entries) = agent.
   */
  | { readonly type: 'AssignmentFailed'; readonly callId: string; readonly agentId: string; readonly offerSeq: number | null; readonly problem?: 'agent' | 'call'; readonly at: number }
  | { readonly type: 'RingNoAnswer'; readonly callId: string; readonly agentId: string; readonly at: number }
  | { readonly type: 'PolicySet'; readonly policy: RoutingPolicy; readonly at: number }
  | { readonly type: 'GroupsMerged'; readonly groupId: string; readonly queueIds: readonly string[]; readonly at: number }
  | { readonly type: 'GroupsSplit'; readonly groupId: string; readonly at: number }
  /** The director's team-leader handling ratio (RT-06): the highest share of a team's recent offers its leader takes. */
  | { readonly type: 'TeamLeaderShareSet'; readonly ratio: number; readonly at: number }
  /**
   * The director's ratio for one team's leaders, overriding the centre-wide one (RT-06); null: the team follows the
   * centre-wide ratio again.
   */
  | { readonly type: 'TeamLeaderTeamShareSet'; readonly teamId: string; readonly ratio: number | null; readonly at: number }
  | { readonly type: 'TimeAdvanced'; readonly at: number };

/** Team and routable skills (certified or granted, not revoked) of an agent, from the configuration side. */
export interface AgentProfile {
  readonly teamId: string;
  readonly skills: ReadonlyMap<string, number>;
  /** The team's leader, taking calls part-time (RT-06); absent (older journal entries) = false. */
  readonly teamLeader?: boolean;
}
