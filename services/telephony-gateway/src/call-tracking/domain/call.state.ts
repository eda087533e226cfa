/** One call (keyed by the vendor call id, e.g. Linkedid), as a discriminated union of its lifecycle. */
interface CallBase {
  readonly callId: string;
  /** Sequence of the last canonical event of this call. */
  readonly sequence: number;
  readonly transfers: number;
  readonly lastAgentId: string | null;
}

export interface Ringing { readonly agentId: string; readonly extension: string; readonly sinceMs: number }

export interface NoCall { readonly status: 'none' }

export interface QueuedCall extends CallBase {
  readonly status: 'queued';
  readonly queueId: string;
  readonly queuedAtMs: number;
  readonly position: number;
  readonly offers: number;
  readonly ringing: Ringing | null;
}

export interface ConnectedCall extends CallBase {
  readonly status: 'connected';
  readonly queueId: string;
  readonly agentId: string;
  readonly extension: string;
  readonly answeredAtMs: number;
  readonly holdCount: number;
  readonly holdSinceMs: number | null;
  readonly totalHoldMs: number;
  /** After an attended transfer the first agent's leg hangs up without ending the call. */
  readonly transferredAway: boolean;
  /** AgentComplete and the legs' Hangups interleave either way; the first leg to hang up is kept for when AgentComplete is missing. */
  readonly firstHangup: { readonly by: 'caller' | 'agent'; readonly at: number } | null;
}

/** Kept after release until the agent's after-call work ends (CallWrapUpCompleted needs the next sequence). */
export interface EndedCall extends CallBase {
  readonly status: 'ended';
  readonly endedAtMs: number;
  /** True after an answered call's release until CallWrapUpCompleted; false = nothing more to expect. */
  readonly awaitingWrapUp: boolean;
}

export type CallState = NoCall | QueuedCall | ConnectedCall | EndedCall;

export const initialCallState = (): CallState => ({ status: 'none' });
