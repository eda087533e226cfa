import type { ActiveStep, RoutingPolicy } from './routing-policy';
import type { LiveAgent, WaitingCall } from './live-state';

/** One agent looked at for a decision, and what routing concluded about it. */
export interface CandidateNote {
  readonly agentId: string;
  readonly outcome: 'chosen' | 'eligible' | 'rejected';
  readonly reason: string;
  readonly proficiency: number;
  readonly idleSeconds: number;
}

export interface Explanation {
  readonly strategy: string;
  readonly summary: string;
  readonly candidatesConsidered: number;
  /** Chosen first, then runners-up, then a sample of rejected agents. */
  readonly candidates: readonly CandidateNote[];
}

export interface Match {
  readonly agent: LiveAgent;
  readonly call: WaitingCall;
  readonly step: ActiveStep;
  readonly explanation: Explanation;
}

/** Read access to the engine's live state that matchers need. */
export interface LiveView {
  readonly agents: ReadonlyMap<string, LiveAgent>;
  readonly calls: ReadonlyMap<string, WaitingCall>;
  policyOf(queueId: string): RoutingPolicy;
  /** The call's current step for its caller tier (absent = standard), group merging applied; cached by the engine. */
  stepOf(queueId: string, stepIndex: number, callerTier?: string): ActiveStep;
}

/**
 * Picks the best agent for a call, or the best call for a freed agent. The engine reports every state change so an
 * implementation can keep indexes; winners must follow the total orders in ranking.ts.
 */
export interface Matcher {
  readonly name: string;
  agentChanged(before: LiveAgent | undefined, after: LiveAgent | undefined): void;
  callChanged(before: WaitingCall | undefined, after: WaitingCall | undefined): void;
  /** Policies or merges changed: step-derived caches are stale. */
  configChanged(): void;
  bestAgentFor(call: WaitingCall, now: number): Match | null;
  bestCallFor(agent: LiveAgent, now: number): Match | null;
}

export const MAX_RUNNERS_UP = 4;
export const MAX_REJECTED_NOTES = 5;
