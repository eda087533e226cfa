/**
 * What happened in the simulated call center, in the order it happened. The wire adapters (AMI, event socket) and
 * the ground-truth recorder all consume this one stream, so what a client sees and what the oracle counts agree.
 * `at` is simulated milliseconds since the scenario's epoch (midnight UTC of the simulated day).
 */
export type SimFact =
  | { readonly type: 'AgentLoggedIn'; readonly at: number; readonly agentId: string; readonly queues: readonly QueueMembership[] }
  | { readonly type: 'AgentLoggedOut'; readonly at: number; readonly agentId: string; readonly early: boolean }
  | { readonly type: 'AgentPaused'; readonly at: number; readonly agentId: string; readonly reason: string }
  | { readonly type: 'AgentUnpaused'; readonly at: number; readonly agentId: string; readonly reason: string }
  | { readonly type: 'AfterCallWorkStarted'; readonly at: number; readonly agentId: string; readonly callId: string; readonly contactId: string }
  | { readonly type: 'AfterCallWorkEnded'; readonly at: number; readonly agentId: string; readonly callId: string; readonly contactId: string }
  /** `callerTier`: what the dial plan put in SWITCHBOARD_CALLER_TIER (null: not tagged). */
  | { readonly type: 'CallArrived'; readonly at: number; readonly callId: string; readonly callerNumber: string; readonly repeatOfCallId: string | null; readonly callerTier: string | null }
  | { readonly type: 'CallQueued'; readonly at: number; readonly callId: string; readonly contactId: string; readonly queue: string; readonly position: number; readonly count: number }
  | { readonly type: 'AgentRingStarted'; readonly at: number; readonly callId: string; readonly contactId: string; readonly queue: string; readonly agentId: string }
  | { readonly type: 'AgentRingEnded'; readonly at: number; readonly callId: string; readonly contactId: string; readonly queue: string; readonly agentId: string; readonly result: 'no-answer' | 'canceled'; readonly ringMs: number }
  | { readonly type: 'CallAnswered'; readonly at: number; readonly callId: string; readonly contactId: string; readonly queue: string; readonly agentId: string; readonly waitMs: number; readonly ringMs: number; readonly position: number; readonly countAfter: number }
  | { readonly type: 'CallHeld'; readonly at: number; readonly callId: string; readonly agentId: string }
  | { readonly type: 'CallRetrieved'; readonly at: number; readonly callId: string; readonly agentId: string }
  | { readonly type: 'ConferenceStarted'; readonly at: number; readonly callId: string; readonly agentId: string; readonly party: string }
  | { readonly type: 'ConferenceEnded'; readonly at: number; readonly callId: string; readonly agentId: string; readonly party: string }
  | { readonly type: 'ConsultStarted'; readonly at: number; readonly callId: string; readonly agentId: string; readonly target: string }
  | { readonly type: 'CallTransferred'; readonly at: number; readonly callId: string; readonly contactId: string; readonly queue: string; readonly agentId: string; readonly kind: 'blind' | 'attended'; readonly target: string; readonly waitMs: number; readonly talkMs: number }
  | { readonly type: 'CallCompleted'; readonly at: number; readonly callId: string; readonly contactId: string; readonly queue: string; readonly agentId: string; readonly releasedBy: 'caller' | 'agent'; readonly waitMs: number; readonly talkMs: number; readonly resolved: boolean }
  | { readonly type: 'TransferredCallEnded'; readonly at: number; readonly callId: string; readonly target: string }
  /** A caller the queue timed out on hangs up after the dial plan's destination (voicemail, announcement). */
  | { readonly type: 'TimedOutCallEnded'; readonly at: number; readonly callId: string; readonly queue: string }
  | { readonly type: 'CallLeftQueueUnanswered'; readonly at: number; readonly callId: string; readonly contactId: string; readonly queue: string; readonly reason: 'abandon' | 'timeout'; readonly position: number; readonly originalPosition: number; readonly waitMs: number; readonly countAfter: number }
  | { readonly type: 'RoutingDecisionMissed'; readonly at: number; readonly callId: string; readonly contactId: string; readonly queue: string };

export interface QueueMembership {
  readonly queue: string;
  readonly penalty: number;
}

export type SimFactType = SimFact['type'];
