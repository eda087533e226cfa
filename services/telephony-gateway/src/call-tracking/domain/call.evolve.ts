import type { Decided } from './canonical';
import type { CallState, ConnectedCall, QueuedCall, TrackedCall } from './call.state';
import type { CallVendorEvent } from './vendor-events';

type Data = Record<string, unknown>;
type Base = Pick<TrackedCall, 'callId' | 'sequence' | 'transfers' | 'queueVisits' | 'wrapUps' | 'lastAgentId' | 'recordings'>;

/** Applies a decided canonical call event to the call state. */
export function evolveCall(state: CallState, event: Decided): CallState {
  const d = event.data as Data;
  if (state.status === 'none' && event.definition.name !== 'CallOffered') return state;
  const common: Base = state.status === 'none'
    ? { callId: String(d.callId), sequence: event.sequence, transfers: 0, queueVisits: 0, wrapUps: [], lastAgentId: null, recordings: [] }
    : {
      callId: state.callId, sequence: event.sequence, transfers: state.transfers, queueVisits: state.queueVisits, wrapUps: state.wrapUps,
      lastAgentId: state.lastAgentId, recordings: state.recordings,
    };
  switch (event.definition.name) {
    case 'CallOffered':
      return queued(common, event, d);
    case 'CallQueued':
      return queued({ ...common, queueVisits: Number(d.queueVisit ?? common.queueVisits + 1) }, event, d);
    case 'CallRinging':
      return { ...(state as QueuedCall), ...common, offers: Number(d.offerAttempt), ringing: { agentId: String(d.agentId), extension: String(d.extension), sinceMs: event.at } };
    case 'CallAnswered':
      return {
        ...common, lastAgentId: String(d.agentId), status: 'connected', queueId: String(d.queueId), agentId: String(d.agentId), extension: String(d.extension), answeredAtMs: event.at,
        holdCount: 0, holdSinceMs: null, totalHoldMs: 0, firstHangup: null,
      };
    case 'CallHeld':
      return { ...(state as ConnectedCall), ...common, holdCount: Number(d.holdCount), holdSinceMs: event.at };
    case 'CallResumed': {
      const s = state as ConnectedCall;
      return { ...s, ...common, holdSinceMs: null, totalHoldMs: s.totalHoldMs + (event.at - (s.holdSinceMs ?? event.at)) };
    }
    case 'CallTransferred':
      return { ...(state as ConnectedCall), ...common, transfers: common.transfers + 1 };
    case 'CallReleased':
      return { ...common, status: 'ended', endedAtMs: event.at, wrapUps: [...common.wrapUps.filter((a) => a !== d.agentId), String(d.agentId)] };
    case 'CallAbandoned':
    case 'CallQueueTimedOut':
      return { ...common, status: 'ended', endedAtMs: event.at };
    case 'CallWrapUpCompleted':
      return { ...(state as TrackedCall), ...common, wrapUps: common.wrapUps.filter((a) => a !== d.agentId) };
    default:
      return { ...(state as TrackedCall), sequence: event.sequence };
  }
}

function queued(common: Base, event: Decided, d: Data): QueuedCall {
  return {
    ...common, status: 'queued', queueId: String(d.queueId ?? ''), queuedAtMs: event.at, position: Number(d.position ?? 1), offers: 0, ringing: null, leaving: null,
  };
}

/** Folds a batch of decided events. */
export const evolveCallAll = (state: CallState, events: readonly Decided[]): CallState => events.reduce(evolveCall, state);

/**
 * Vendor facts that decide nothing yet but matter later (which leg hung up first; that the caller left the queue; a
 * recording whose file is being read, credited to the agent who answered last).
 */
export function noteCallFact(state: CallState, e: CallVendorEvent): CallState {
  if (e.type === 'RecordingStopped') {
    if (state.status === 'none') return state;
    const file = e.file === undefined ? {} : { file: e.file, reportedSeconds: e.reportedSeconds ?? null, stoppedAtMs: e.at };
    return { ...state, recordings: [...state.recordings, { channel: e.channel, agentId: state.lastAgentId, ...file }] };
  }
  if (state.status === 'queued' && (e.type === 'CallerAbandonedQueue' || e.type === 'CallerLeftQueue')) {
    const at = state.leaving?.at ?? e.at;
    if (e.type === 'CallerAbandonedQueue') return { ...state, leaving: { at, position: e.position, originalPosition: e.originalPosition } };
    return state.leaving !== null ? state : { ...state, leaving: { at, position: e.position, originalPosition: state.position } };
  }
  if (e.type !== 'ChannelHungUp' || state.status !== 'connected' || state.firstHangup !== null) return state;
  return { ...state, firstHangup: { by: e.callerLeg ? 'caller' : 'agent', at: e.at } };
}

/** A recording that was stored or found unavailable is no longer waited for (its first pending entry on that channel). */
export function settleRecording(state: CallState, e: CallVendorEvent): CallState {
  if ((e.type !== 'RecordingStored' && e.type !== 'RecordingUnavailable') || state.status === 'none') return state;
  const i = state.recordings.findIndex((r) => r.channel === e.channel);
  return i < 0 ? state : { ...state, recordings: state.recordings.filter((_, j) => j !== i) };
}
