import {
  CallAbandoned, CallAnswered, CallAssignmentExecuted, CallAssignmentFailed, CallConferenced, CallHeld, CallOffered, CallQueued,
  CallQueueTimedOut, CallRecordingAvailable, CallReleased, CallResumed, CallRinging, CallTransferred, CallWrapUpCompleted,
} from '@switchboard/contracts';
import { decided, secondsBetween, type Decided, type DecisionContext } from './canonical';
import type { CallState, ConnectedCall, Leaving, QueuedCall, TrackedCall } from './call.state';
import type {
  AgentAnswered, AgentCallCompleted, AgentOffered, AssignmentSettled, CallerJoinedQueue, CallHoldChanged, CallTransferStarted,
  CallVendorEvent, ChannelHungUp, ConferenceJoined, QueueExited, RecordingStored, WrapUpEnded,
} from './vendor-events';
import { evolveCall, noteCallFact, settleRecording } from './call.evolve';

type Out = Decided[];

/**
 * A caller whose channel hangs up this soon after leaving the queue unanswered abandoned; one still up later was let
 * go by the queue (timeout) and carried on in the dial plan. Asterisk hangs an abandoning caller up in the same
 * instant, so any real delay means the channel lived on.
 */
export const ABANDON_HANGUP_GRACE_MS = 2000;

/** `QUEUESTATUS` values meaning the queue let a waiting caller go (JOIN* ones never enter the queue). */
const QUEUE_GAVE_UP = new Set(['TIMEOUT', 'LEAVEEMPTY', 'LEAVEUNAVAIL', 'WITHDRAW']);

/** Canonical call events for one vendor event. Repeated or out-of-place vendor events decide nothing (deduplication). */
export function decideCall(state: CallState, event: CallVendorEvent, ctx: DecisionContext): Out {
  switch (event.type) {
    case 'CallerJoinedQueue': return joined(state, event, ctx);
    // Abandon or timeout: what follows tells (noted on the state until then).
    case 'CallerAbandonedQueue': return event.final === true && state.status === 'queued' ? abandoned(state, state.leaving ?? leavingOf(event)) : [];
    case 'CallerLeftQueue': return [];
    case 'QueueExited': return state.status === 'queued' ? exited(state, event) : [];
    case 'QueueTimedOut': return state.status === 'queued' ? timedOut(state, leavingOf(event)) : [];
    case 'AgentOffered': return state.status === 'queued' && state.leaving === null ? offered(state, event) : [];
    case 'AgentRangNoAnswer': return [];
    case 'AgentAnswered': return state.status === 'queued' ? answered(state, event, ctx) : [];
    case 'CallHoldChanged': return state.status === 'connected' ? holdChanged(state, event) : [];
    case 'CallTransferStarted': return state.status === 'connected' ? transferred(state, event) : [];
    case 'ConferenceJoined': return state.status === 'connected' ? conferenced(state, event) : [];
    case 'AgentCallCompleted': return state.status === 'connected' ? completed(state, event) : [];
    case 'ChannelHungUp': return hungUp(state, event);
    case 'WrapUpEnded': return state.status !== 'none' && state.wrapUps.includes(event.agentId) ? wrapUpEnded(state, event) : [];
    case 'AssignmentSettled': return assignmentSettled(state, event, ctx);
    case 'RecordingStopped': return [];
    case 'RecordingStored': return state.status === 'none' ? [] : recordingStored(state, event);
    case 'RecordingUnavailable': return [];
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}

function joined(state: CallState, e: CallerJoinedQueue, ctx: DecisionContext): Out {
  if (state.status === 'queued' && state.queueId === e.queue && state.leaving === null) return []; // repeated QueueCallerJoin
  const callId = state.status === 'none' ? `${ctx.pbxLinkId}:${e.callKey}` : state.callId;
  const out: Out = [];
  const next = () => (state.status === 'none' ? 0 : state.sequence) + out.length + 1;
  const tier = e.callerTier === undefined ? {} : { callerTier: e.callerTier };
  if (state.status === 'none') {
    const caller = ctx.identifyCaller(e.callerNumber);
    const dialed = e.dialedNumber !== null && /^[0-9+*#]{1,32}$/.test(e.dialedNumber) ? e.dialedNumber : ctx.defaultDialedNumber;
    out.push(decided(CallOffered, callId, next(), e.at, {
      callId, pbxLinkId: ctx.pbxLinkId, direction: 'inbound', channel: 'voice', callerHash: caller.hash, callerMasked: caller.masked, dialedNumber: dialed, ...tier,
    }));
  }
  // The caller is in a new queue visit: close the one it came from. A queue that let the caller go (timeout, overflow)
  // timed out; a Redirect off an agent (no transfer event, reference §3.7) released that agent's part.
  if (state.status === 'queued') out.push(...timedOut(state, state.leaving ?? { at: e.at, position: state.position, originalPosition: state.position }, next()));
  if (state.status === 'connected') out.push(...released(state, e.at, 'system', next()));
  out.push(decided(CallQueued, callId, next(), e.at, {
    callId, queueId: e.queue, skillId: e.queue, position: Math.max(1, e.position), queueLength: Math.max(1, e.count),
    queueVisit: state.status === 'none' ? 1 : state.queueVisits + 1, ...tier,
  }));
  return out;
}

const leavingOf = (e: { at: number; position: number; originalPosition: number }): Leaving =>
  ({ at: e.at, position: e.position, originalPosition: e.originalPosition });

function exited(s: QueuedCall, e: QueueExited): Out {
  if (!QUEUE_GAVE_UP.has(e.status.toUpperCase())) return [];
  return timedOut(s, s.leaving ?? { at: e.at, position: s.position, originalPosition: s.position });
}

function timedOut(s: QueuedCall, l: Leaving, sequence = s.sequence + 1): Out {
  return [decided(CallQueueTimedOut, s.callId, sequence, l.at, {
    callId: s.callId, queueId: s.queueId, waitSeconds: secondsBetween(s.queuedAtMs, l.at),
    position: Math.max(1, l.position), originalPosition: Math.max(1, l.originalPosition), queueVisit: s.queueVisits,
  })];
}

function abandoned(s: QueuedCall, l: Leaving): Out {
  return [decided(CallAbandoned, s.callId, s.sequence + 1, l.at, {
    callId: s.callId, queueId: s.queueId, waitSeconds: secondsBetween(s.queuedAtMs, l.at),
    position: Math.max(1, l.position), originalPosition: Math.max(1, l.originalPosition), queueVisit: s.queueVisits,
  })];
}

function offered(s: QueuedCall, e: AgentOffered): Out {
  if (s.ringing?.agentId === e.agentId && s.ringing.sinceMs === e.at) return []; // the same AgentCalled again
  return [decided(CallRinging, s.callId, s.sequence + 1, e.at, {
    callId: s.callId, queueId: s.queueId, agentId: e.agentId, extension: e.extension, offerAttempt: s.offers + 1, queueVisit: s.queueVisits,
  })];
}

function answered(s: QueuedCall, e: AgentAnswered, ctx: DecisionContext): Out {
  // AgentConnect.RingTime is whole seconds (AgentRingNoAnswer's is ms); prefer the measured ring start when known.
  const ringMs = s.ringing?.agentId === e.agentId ? Math.max(0, e.at - s.ringing.sinceMs) : e.ringSeconds * 1000;
  return [decided(CallAnswered, s.callId, s.sequence + 1, e.at, {
    callId: s.callId, queueId: s.queueId, agentId: e.agentId, extension: e.extension, waitSeconds: secondsBetween(s.queuedAtMs, e.at),
    ringCount: Math.ceil(Math.round(ringMs) / ctx.ringCycleMs), ringDurationMs: Math.round(ringMs), queueVisit: s.queueVisits,
  })];
}

function holdChanged(s: ConnectedCall, e: CallHoldChanged): Out {
  if (e.held === (s.holdSinceMs !== null)) return [];
  if (e.held) return [decided(CallHeld, s.callId, s.sequence + 1, e.at, { callId: s.callId, agentId: s.agentId, holdCount: s.holdCount + 1 })];
  const holdMs = e.at - s.holdSinceMs!;
  return [decided(CallResumed, s.callId, s.sequence + 1, e.at, {
    callId: s.callId, agentId: s.agentId, holdCount: s.holdCount, holdSeconds: secondsBetween(0, holdMs), totalHoldSeconds: secondsBetween(0, s.totalHoldMs + holdMs),
  })];
}

/**
 * The transferring agent's part of the call ends at the transfer: their talk stops there and their after-call work
 * follows (as the agent experiences it and the ground truth counts it). Whatever the caller does next is another
 * segment: a blind transfer to a queue is the next queue visit; an attended transfer hands the caller to a party
 * outside the queues.
 */
function transferred(s: ConnectedCall, e: CallTransferStarted): Out {
  const target = /^[0-9]+$/.test(e.target) && e.kind === 'attended' ? { kind: 'agent' as const, agentId: e.target } : { kind: 'queue' as const, queueId: e.target };
  const transfer = decided(CallTransferred, s.callId, s.sequence + 1, e.at, {
    callId: s.callId, fromAgentId: s.agentId, transferType: e.kind, target, transferCount: s.transfers + 1,
  });
  return [transfer, ...released({ ...s, transfers: s.transfers + 1 }, e.at, 'agent', s.sequence + 2)];
}

function conferenced(s: ConnectedCall, e: ConferenceJoined): Out {
  return [decided(CallConferenced, s.callId, s.sequence + 1, e.at, {
    callId: s.callId, agentId: s.agentId, added: { kind: 'agent', agentId: e.party }, participantCount: Math.max(3, e.participants),
  })];
}

function completed(s: ConnectedCall, e: AgentCallCompleted): Out {
  if (e.agentId !== s.agentId || e.reason === 'transfer') return [];
  return released(s, e.at, e.reason === 'other' ? 'system' : e.reason);
}

function hungUp(s: CallState, e: ChannelHungUp): Out {
  if (!e.callerLeg) return [];
  if (s.status === 'queued') {
    const l = s.leaving ?? { at: e.at, position: s.position, originalPosition: s.position };
    return e.at - l.at <= ABANDON_HANGUP_GRACE_MS ? abandoned(s, l) : timedOut(s, l);
  }
  if (s.status !== 'connected') return [];
  // Missing AgentComplete (asterisk#393): when the caller's leg is gone, the first leg to hang up tells who released.
  const first = s.firstHangup ?? { by: 'caller' as const, at: e.at };
  return released(s, first.at, first.by);
}

function released(s: ConnectedCall, at: number, by: 'caller' | 'agent' | 'system', sequence = s.sequence + 1): Out {
  const openHoldMs = s.holdSinceMs === null ? 0 : at - s.holdSinceMs;
  return [decided(CallReleased, s.callId, sequence, at, {
    callId: s.callId, agentId: s.agentId, releasedBy: by, talkSeconds: secondsBetween(s.answeredAtMs, at),
    holdCount: s.holdCount, totalHoldSeconds: secondsBetween(0, s.totalHoldMs + openHoldMs), transferCount: s.transfers,
  })];
}

function wrapUpEnded(s: TrackedCall, e: WrapUpEnded): Out {
  return [decided(CallWrapUpCompleted, s.callId, s.sequence + 1, e.at, {
    callId: s.callId, agentId: e.agentId, acwSeconds: secondsBetween(0, e.acwMs), dispositionCode: 'UNSPECIFIED',
  })];
}

function assignmentSettled(state: CallState, e: AssignmentSettled, ctx: DecisionContext): Out {
  // A call the gateway does not track (never seen, or forgotten) has no events yet under this subject.
  const [callId, sequence] = state.status === 'none' ? [`${ctx.pbxLinkId}:${e.callKey}`, 1] : [state.callId, state.sequence + 1];
  const ref = { callId, agentId: e.agentId, assignmentEventId: e.assignmentEventId, pbxLinkId: ctx.pbxLinkId };
  const o = e.outcome;
  return [o.status === 'executed'
    ? decided(CallAssignmentExecuted, callId, sequence, e.at, { ...ref, action: o.action, queuedToExecutedMs: Math.max(0, Math.round(o.queuedToExecutedMs)) })
    : decided(CallAssignmentFailed, callId, sequence, e.at, { ...ref, failure: o.failure, reason: o.reason.slice(0, 512) || o.failure })];
}

/**
 * Published once per stopped recording the call waits for, credited to the agent who had answered when it stopped. A
 * recording of a call no agent answered (or one the call does not wait for: a repeat) has no one to credit and is not
 * published.
 */
function recordingStored(s: TrackedCall, e: RecordingStored): Out {
  const agentId = s.recordings.find((r) => r.channel === e.channel)?.agentId;
  if (agentId === undefined || agentId === null) return [];
  return [decided(CallRecordingAvailable, s.callId, s.sequence + 1, e.at, {
    callId: s.callId, agentId, recordingId: e.recordingId, storageUri: e.storageUri, sha256: e.sha256, mediaType: e.mediaType,
    durationSeconds: Math.max(0, Math.round(e.durationSeconds * 1000) / 1000),
  })];
}

export interface CallTransition { readonly state: CallState; readonly events: readonly Decided[] }

/** Note the fact, decide, then fold the decided events: the one entry point adapters use. */
export function transitionCall(state: CallState, event: CallVendorEvent, ctx: DecisionContext): CallTransition {
  if (event.type === 'RecordingStopped' && ctx.recordings !== true) return { state, events: [] };
  const noted = noteCallFact(state, event);
  const events = decideCall(noted, event, ctx);
  return { state: settleRecording(events.reduce(evolveCall, noted), event), events };
}
