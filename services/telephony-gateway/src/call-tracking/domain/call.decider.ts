import {
  CallAbandoned, CallAnswered, CallConferenced, CallHeld, CallOffered, CallQueued, CallReleased, CallResumed, CallRinging,
  CallTransferred, CallWrapUpCompleted,
} from '@switchboard/contracts';
import { decided, secondsBetween, type Decided, type DecisionContext } from './canonical';
import type { CallState, ConnectedCall, EndedCall, QueuedCall } from './call.state';
import type {
  AgentAnswered, AgentCallCompleted, AgentOffered, CallerAbandonedQueue, CallerJoinedQueue, CallHoldChanged,
  CallTransferStarted, CallVendorEvent, ChannelHungUp, ConferenceJoined, WrapUpEnded,
} from './vendor-events';
import { evolveCall, noteCallFact } from './call.evolve';

type Out = Decided[];

/** Canonical call events for one vendor event. Repeated or out-of-place vendor events decide nothing (deduplication). */
export function decideCall(state: CallState, event: CallVendorEvent, ctx: DecisionContext): Out {
  switch (event.type) {
    case 'CallerJoinedQueue': return joined(state, event, ctx);
    case 'CallerAbandonedQueue': return state.status === 'queued' ? abandoned(state, event) : [];
    case 'AgentOffered': return state.status === 'queued' ? offered(state, event) : [];
    case 'AgentRangNoAnswer': return [];
    case 'AgentAnswered': return state.status === 'queued' ? answered(state, event, ctx) : [];
    case 'CallHoldChanged': return state.status === 'connected' ? holdChanged(state, event) : [];
    case 'CallTransferStarted': return state.status === 'connected' ? transferred(state, event) : [];
    case 'ConferenceJoined': return state.status === 'connected' ? conferenced(state, event) : [];
    case 'AgentCallCompleted': return state.status === 'connected' ? completed(state, event) : [];
    case 'ChannelHungUp': return state.status === 'connected' ? hungUp(state, event) : [];
    case 'WrapUpEnded': return state.status === 'ended' && state.awaitingWrapUp ? wrapUpEnded(state, event) : [];
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}

function joined(state: CallState, e: CallerJoinedQueue, ctx: DecisionContext): Out {
  if (state.status === 'queued' && state.queueId === e.queue) return []; // repeated QueueCallerJoin
  if (state.status === 'ended') return [];
  const callId = state.status === 'none' ? `${ctx.pbxLinkId}:${e.callKey}` : state.callId;
  const seq = state.status === 'none' ? 0 : state.sequence;
  const out: Out = [];
  if (state.status === 'none') {
    const caller = ctx.identifyCaller(e.callerNumber);
    const dialed = e.dialedNumber !== null && /^[0-9+*#]{1,32}$/.test(e.dialedNumber) ? e.dialedNumber : ctx.defaultDialedNumber;
    out.push(decided(CallOffered, callId, seq + 1, e.at, {
      callId, pbxLinkId: ctx.pbxLinkId, direction: 'inbound', channel: 'voice', callerHash: caller.hash, callerMasked: caller.masked, dialedNumber: dialed,
    }));
  }
  out.push(decided(CallQueued, callId, seq + out.length + 1, e.at, {
    callId, queueId: e.queue, skillId: e.queue, position: Math.max(1, e.position), queueLength: Math.max(1, e.count),
  }));
  return out;
}

function abandoned(s: QueuedCall, e: CallerAbandonedQueue): Out {
  return [decided(CallAbandoned, s.callId, s.sequence + 1, e.at, {
    callId: s.callId, queueId: s.queueId, waitSeconds: secondsBetween(s.queuedAtMs, e.at),
    position: Math.max(1, e.position), originalPosition: Math.max(1, e.originalPosition),
  })];
}

function offered(s: QueuedCall, e: AgentOffered): Out {
  if (s.ringing?.agentId === e.agentId && s.ringing.sinceMs === e.at) return []; // the same AgentCalled again
  return [decided(CallRinging, s.callId, s.sequence + 1, e.at, {
    callId: s.callId, queueId: s.queueId, agentId: e.agentId, extension: e.extension, offerAttempt: s.offers + 1,
  })];
}

function answered(s: QueuedCall, e: AgentAnswered, ctx: DecisionContext): Out {
  // AgentConnect.RingTime is whole seconds (AgentRingNoAnswer's is ms); prefer the measured ring start when known.
  const ringMs = s.ringing?.agentId === e.agentId ? Math.max(0, e.at - s.ringing.sinceMs) : e.ringSeconds * 1000;
  return [decided(CallAnswered, s.callId, s.sequence + 1, e.at, {
    callId: s.callId, queueId: s.queueId, agentId: e.agentId, extension: e.extension, waitSeconds: secondsBetween(s.queuedAtMs, e.at),
    ringCount: Math.ceil(Math.round(ringMs) / ctx.ringCycleMs), ringDurationMs: Math.round(ringMs),
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

function transferred(s: ConnectedCall, e: CallTransferStarted): Out {
  const target = /^[0-9]+$/.test(e.target) && e.kind === 'attended' ? { kind: 'agent' as const, agentId: e.target } : { kind: 'queue' as const, queueId: e.target };
  return [decided(CallTransferred, s.callId, s.sequence + 1, e.at, {
    callId: s.callId, fromAgentId: s.agentId, transferType: e.kind, target, transferCount: s.transfers + 1,
  })];
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

// Missing AgentComplete (asterisk#393): when the caller's leg is gone, the first leg to hang up tells who released.
function hungUp(s: ConnectedCall, e: ChannelHungUp): Out {
  if (!e.callerLeg) return [];
  const first = s.firstHangup ?? { by: 'caller' as const, at: e.at };
  return released(s, first.at, first.by);
}

function released(s: ConnectedCall, at: number, by: 'caller' | 'agent' | 'system'): Out {
  const openHoldMs = s.holdSinceMs === null ? 0 : at - s.holdSinceMs;
  return [decided(CallReleased, s.callId, s.sequence + 1, at, {
    callId: s.callId, agentId: s.agentId, releasedBy: by, talkSeconds: secondsBetween(s.answeredAtMs, at),
    holdCount: s.holdCount, totalHoldSeconds: secondsBetween(0, s.totalHoldMs + openHoldMs), transferCount: s.transfers,
  })];
}

function wrapUpEnded(s: EndedCall, e: WrapUpEnded): Out {
  if (s.lastAgentId !== e.agentId) return [];
  return [decided(CallWrapUpCompleted, s.callId, s.sequence + 1, e.at, {
    callId: s.callId, agentId: e.agentId, acwSeconds: secondsBetween(0, e.acwMs), dispositionCode: 'UNSPECIFIED',
  })];
}

export interface CallTransition { readonly state: CallState; readonly events: readonly Decided[] }

/** Note the fact, decide, then fold the decided events: the one entry point adapters use. */
export function transitionCall(state: CallState, event: CallVendorEvent, ctx: DecisionContext): CallTransition {
  const noted = noteCallFact(state, event);
  const events = decideCall(noted, event, ctx);
  return { state: events.reduce(evolveCall, noted), events };
}
