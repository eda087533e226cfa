import type { Explanation } from './matcher';

/** Routing decisions: facts the engine emits and the gateway executes. Times are epoch ms. */
export type CallAssigned = {
  readonly type: 'CallAssigned';
  readonly data: {
    readonly callId: string; readonly queueId: string; readonly agentId: string;
    readonly step: number; readonly policyId: string; readonly policyVersion: number;
    /** The skill the step ranked by; null when the step targets queue membership only. */
    readonly skillId: string | null;
    readonly attempt: number; readonly waitSeconds: number; readonly decidedAt: number;
    /** Ordinal of this offer among all the engine made (deterministic on replay): the gateway's outcome names it. */
    readonly offerSeq: number;
    /** The caller tier that set the call's priority (RT-11); absent for a standard call. */
    readonly callerTier?: string;
    readonly explanation: Explanation;
  };
};

export type CallOverflowed = {
  readonly type: 'CallOverflowed';
  readonly data: {
    readonly callId: string; readonly queueId: string; readonly fromStep: number; readonly toStep: number;
    readonly policyId: string; readonly policyVersion: number; readonly waitSeconds: number; readonly decidedAt: number;
  };
};

export type CallMovedToQueue = {
  readonly type: 'CallMovedToQueue';
  readonly data: {
    readonly callId: string; readonly fromQueueId: string; readonly toQueueId: string; readonly fromStep: number;
    readonly policyId: string; readonly policyVersion: number; readonly waitSeconds: number; readonly decidedAt: number;
  };
};

export type CallbackOffered = {
  readonly type: 'CallbackOffered';
  readonly data: { readonly callId: string; readonly queueId: string; readonly waitSeconds: number; readonly decidedAt: number };
};

export type CallUnroutable = {
  readonly type: 'CallUnroutable';
  readonly data: {
    readonly callId: string; readonly queueId: string; readonly reason: 'all-steps-expired';
    readonly waitSeconds: number; readonly decidedAt: number;
  };
};

/**
 * Why an offer ended without an answer: the agent let it ring out, left ready or logged out while it was in flight,
 * the gateway could not carry it out (`assignment-failed`), or the PBX said the call was not waiting (`call-not-waiting`).
 */
export type ReofferReason = 'ring-no-answer' | 'agent-unavailable' | 'agent-logged-out' | 'assignment-failed' | 'call-not-waiting';

export type CallReoffered = {
  readonly type: 'CallReoffered';
  readonly data: {
    readonly callId: string; readonly queueId: string; readonly previousAgentId: string;
    readonly reason: ReofferReason; readonly attempt: number; readonly decidedAt: number;
  };
};

/**
 * The PBX reported the offered call not waiting in a queue: its agent is free again and the call is offered again at
 * `retryAt` (event time) or when it is queued again. Internal; the published fact is the `CallReoffered`
 * (`call-not-waiting`) decided with it.
 */
export type CallRetryScheduled = {
  readonly type: 'CallRetryScheduled';
  readonly data: {
    readonly callId: string; readonly queueId: string; readonly previousAgentId: string;
    readonly attempt: number; readonly retryAt: number; readonly decidedAt: number;
  };
};

/** As the PBX does on ring-no-answer (app_queue autopause, mod_callcenter max-no-answer). */
export type AgentMarkedNotReady = {
  readonly type: 'AgentMarkedNotReady';
  readonly data: { readonly agentId: string; readonly callId: string; readonly reason: 'ring-no-answer'; readonly decidedAt: number };
};

export type RoutingDecision =
  | CallAssigned | CallOverflowed | CallMovedToQueue | CallbackOffered | CallUnroutable | CallReoffered | CallRetryScheduled | AgentMarkedNotReady;
