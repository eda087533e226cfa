import type { Decided } from './canonical';
import type { CallState, ConnectedCall, QueuedCall } from './call.state';
import type { CallVendorEvent } from './vendor-events';

type Data = Record<string, unknown>;

/** Applies a decided canonical call event to the call state. */
export function evolveCall(state: CallState, event: Decided): CallState {
  const d = event.data as Data;
  const common = state.status === 'none'
    ? { callId: String(d.callId), sequence: event.sequence, transfers: 0, lastAgentId: null }
    : { callId: state.callId, sequence: event.sequence, transfers: state.transfers, lastAgentId: state.lastAgentId };
  switch (event.definition.name) {
    case 'CallOffered':
    case 'CallQueued':
      return queued(common, event, d);
    case 'CallRinging':
      return { ...(state as QueuedCall), ...common, offers: Number(d.offerAttempt), ringing: { agentId: String(d.agentId), extension: String(d.extension), sinceMs: event.at } };
    case 'CallAnswered':
      return {
        ...common, status: 'connected', queueId: String(d.queueId), agentId: String(d.agentId), extension: String(d.extension), answeredAtMs: event.at,
        holdCount: 0, holdSinceMs: null, totalHoldMs: 0, transferredAway: false, firstHangup: null, lastAgentId: String(d.agentId),
      };
    case 'CallHeld':
      return { ...(state as ConnectedCall), ...common, holdCount: Number(d.holdCount), holdSinceMs: event.at };
    case 'CallResumed': {
      const s = state as ConnectedCall;
      return { ...s, ...common, holdSinceMs: null, totalHoldMs: s.totalHoldMs + (event.at - (s.holdSinceMs ?? event.at)) };
    }
    case 'CallTransferred':
      return { ...(state as ConnectedCall), ...common, transfers: common.transfers + 1, transferredAway: true };
    case 'CallReleased':
      return { ...common, status: 'ended', endedAtMs: event.at, awaitingWrapUp: true };
    case 'CallAbandoned':
    case 'CallWrapUpCompleted':
      return { ...common, status: 'ended', endedAtMs: event.at, awaitingWrapUp: false };
    default:
      return { ...(state as Exclude<CallState, { status: 'none' }>), sequence: event.sequence };
  }
}

function queued(common: Omit<QueuedCall, 'status' | 'queueId' | 'queuedAtMs' | 'position' | 'offers' | 'ringing'>, event: Decided, d: Data): QueuedCall {
  return {
    ...common, status: 'queued', queueId: String(d.queueId ?? ''), queuedAtMs: event.at, position: Number(d.position ?? 1), offers: 0, ringing: null,
  };
}

/** Folds a batch of decided events. */
export const evolveCallAll = (state: CallState, events: readonly Decided[]): CallState => events.reduce(evolveCall, state);

/** Vendor facts that change no canonical event yet but matter later (which leg hung up first). */
export function noteCallFact(state: CallState, e: CallVendorEvent): CallState {
  if (e.type !== 'ChannelHungUp' || state.status !== 'connected' || state.firstHangup !== null) return state;
  if (!e.callerLeg && state.transferredAway) return state;
  return { ...state, firstHangup: { by: e.callerLeg ? 'caller' : 'agent', at: e.at } };
}
