/** One call (keyed by the vendor call id, e.g. Linkedid), as a discriminated union of its lifecycle. */
interface CallBase {
  readonly callId: string;
  /** Sequence of the last canonical event of this call. */
  readonly sequence: number;
  readonly transfers: number;
  /** Queue visits so far (1 = the first queue entry); a call transferred back into a queue starts the next one. */
  readonly queueVisits: number;
  /** Agents whose after-call work for this call is still open: CallWrapUpCompleted is still to come for each. */
  readonly wrapUps: readonly string[];
  /** The agent who answered last (a recording that stops later is theirs); null before any answer. */
  readonly lastAgentId: string | null;
  /** Recordings stopped whose file is still being read: the call is remembered until each is settled. */
  readonly recordings: readonly PendingRecording[];
}

export interface PendingRecording {
  readonly channel: string;
  readonly agentId: string | null;
  /** What re-reading the file after a restart needs (see RecordingStopped); absent in states of earlier versions. */
  readonly file?: string | null;
  readonly reportedSeconds?: number | null;
  /** PBX time of the stop event (the recording's `time`). */
  readonly stoppedAtMs?: number;
}

export interface Ringing { readonly agentId: string; readonly extension: string; readonly sinceMs: number }

/**
 * The caller left the queue unanswered (QueueCallerAbandon and/or QueueCallerLeave) and what follows decides whether
 * it was an abandon or a queue timeout: Asterisk reports both alike (telephony-reference §3.7), only an abandoned
 * caller's channel hangs up at once while a timed-out one continues in the dial plan.
 */
export interface Leaving { readonly at: number; readonly position: number; readonly originalPosition: number }

export interface NoCall { readonly status: 'none' }

export interface QueuedCall extends CallBase {
  readonly status: 'queued';
  readonly queueId: string;
  readonly queuedAtMs: number;
  readonly position: number;
  readonly offers: number;
  readonly ringing: Ringing | null;
  readonly leaving: Leaving | null;
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
  /** AgentComplete and the legs' Hangups interleave either way; the first leg to hang up is kept for when AgentComplete is missing. */
  readonly firstHangup: { readonly by: 'caller' | 'agent'; readonly at: number } | null;
}

/** After release, abandon, timeout or transfer away: kept while wrap-ups are open and briefly after (late facts). */
export interface EndedCall extends CallBase {
  readonly status: 'ended';
  readonly endedAtMs: number;
}

export type CallState = NoCall | QueuedCall | ConnectedCall | EndedCall;
export type TrackedCall = Exclude<CallState, NoCall>;

export const initialCallState = (): CallState => ({ status: 'none' });

type Stored = Partial<CallBase> & { status: CallState['status']; awaitingWrapUp?: boolean; agentId?: string; leaving?: Leaving | null };

/** A state as persisted by an earlier gateway version (before queue visits, per-agent wrap-ups, recordings) → today's shape. */
export function upgradeCallState(stored: CallState): CallState {
  const s = stored as Stored;
  if (s.status === 'none' || (s.queueVisits !== undefined && s.wrapUps !== undefined && s.recordings !== undefined)) return stored;
  const lastAgentId = s.lastAgentId ?? s.agentId ?? null;
  const wrapUps = s.wrapUps ?? (s.awaitingWrapUp === true && lastAgentId !== null ? [lastAgentId] : []);
  const upgraded = {
    ...s, queueVisits: s.queueVisits ?? 1, wrapUps, lastAgentId, recordings: s.recordings ?? [], ...(s.status === 'queued' ? { leaving: s.leaving ?? null } : {}),
  };
  return upgraded as CallState;
}
