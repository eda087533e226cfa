import {
  AgentLoggedIn, AgentLoggedOut, AgentRingNoAnswer, AgentStateChanged, CallAbandoned, CallAnswered, CallQueued, CallReleased,
  type AnyEvent,
} from '@switchboard/contracts';
import type { RoutingInput } from '../domain/routing-inputs';

/** The telephony event types routing reacts to; the consumer skips the others. */
export const TELEPHONY_INPUT_TYPES: readonly string[] = [
  CallQueued.type, CallAnswered.type, CallReleased.type, CallAbandoned.type,
  AgentLoggedIn.type, AgentLoggedOut.type, AgentStateChanged.type, AgentRingNoAnswer.type,
];

/**
 * Canonical telephony fact -> engine inputs, at the time it happened at the PBX. The call's skill comes from its
 * queue's routing policy, so `CallQueued.skillId` is not needed here.
 */
export function telephonyInputs(event: AnyEvent): RoutingInput[] {
  const at = Date.parse(event.time);
  switch (event.type) {
    case CallQueued.type: return [{ type: 'CallQueued', callId: event.data.callId, queueId: event.data.queueId, at }];
    case CallAnswered.type: return [{ type: 'CallAnswered', callId: event.data.callId, agentId: event.data.agentId, at }];
    case CallReleased.type: return [{ type: 'CallReleased', callId: event.data.callId, agentId: event.data.agentId, talkSeconds: event.data.talkSeconds, at }];
    case CallAbandoned.type: return [{ type: 'CallAbandoned', callId: event.data.callId, at }];
    case AgentLoggedIn.type: return [{ type: 'AgentLoggedIn', agentId: event.data.agentId, queueIds: event.data.queueIds, at }];
    case AgentLoggedOut.type: return [{ type: 'AgentLoggedOut', agentId: event.data.agentId, at }];
    case AgentRingNoAnswer.type: return [{ type: 'RingNoAnswer', callId: event.data.callId, agentId: event.data.agentId, at }];
    case AgentStateChanged.type: return [stateInput(event.data.agentId, event.data.current, at)];
    default: return [];
  }
}

type AgentState = Extract<AnyEvent, { type: typeof AgentStateChanged.type }>['data']['current'];

function stateInput(agentId: string, state: AgentState, at: number): RoutingInput {
  switch (state.status) {
    case 'ready': return { type: 'AgentBecameReady', agentId, at };
    case 'not-ready': return { type: 'AgentBecameNotReady', agentId, reason: state.reason, at };
    case 'on-call': return { type: 'AgentOnCall', agentId, callId: state.callId, at };
    case 'wrap-up': return { type: 'AgentStartedWrapUp', agentId, callId: state.callId, at };
  }
}
