import {
  AgentLoggedIn, AgentLoggedOut, AgentQueueMembershipChanged, AgentRingNoAnswer, AgentStateChanged, CallAbandoned, CallAnswered, CallAssignmentFailed,
  CallQueued, CallQueueTimedOut, CallReleased, type AnyEvent,
} from '@switchboard/contracts';
import type { RoutingInput } from '../domain/routing-inputs';

/**
 * The telephony event types routing reacts to; the consumer skips the others. `CallAssignmentExecuted` is not among
 * them: an executed assignment changes nothing (the offer ends with the PBX's ringing, answer or ring-no-answer).
 */
export const TELEPHONY_INPUT_TYPES: readonly string[] = [
  CallQueued.type, CallAnswered.type, CallReleased.type, CallAbandoned.type, CallQueueTimedOut.type, CallAssignmentFailed.type,
  AgentLoggedIn.type, AgentLoggedOut.type, AgentQueueMembershipChanged.type, AgentStateChanged.type, AgentRingNoAnswer.type,
];

/** The offer (`CallAssigned.offerSeq`) a `CallAssignmentFailed` names through the assignment's event id. */
export type OfferLookup = (assignmentEventId: string) => number | null;

/**
 * Canonical telephony fact -> engine inputs, at the time it happened at the PBX. The call's skill comes from its
 * queue's routing policy, so `CallQueued.skillId` is not needed here. An absent `queueVisit` reads as 1.
 */
export function telephonyInputs(event: AnyEvent, offerOf: OfferLookup = () => null): RoutingInput[] {
  const at = Date.parse(event.time);
  switch (event.type) {
    case CallQueued.type: {
      const { callId, queueId, queueVisit, callerTier } = event.data;
      return [{ type: 'CallQueued', callId, queueId, queueVisit: queueVisit ?? 1, ...(callerTier === undefined ? {} : { callerTier }), at }];
    }
    case CallAnswered.type: return [{ type: 'CallAnswered', callId: event.data.callId, agentId: event.data.agentId, at }];
    case CallReleased.type: return [{ type: 'CallReleased', callId: event.data.callId, agentId: event.data.agentId, talkSeconds: event.data.talkSeconds, at }];
    case CallAbandoned.type: return [{ type: 'CallAbandoned', callId: event.data.callId, queueVisit: event.data.queueVisit ?? 1, at }];
    case CallQueueTimedOut.type: return [{ type: 'CallQueueTimedOut', callId: event.data.callId, queueVisit: event.data.queueVisit, at }];
    case CallAssignmentFailed.type: {
      // Only call-not-waiting blames the call; every other failure class says the agent could not take it.
      const problem = event.data.failure === 'call-not-waiting' ? 'call' : 'agent';
      return [{ type: 'AssignmentFailed', callId: event.data.callId, agentId: event.data.agentId, offerSeq: offerOf(event.data.assignmentEventId), problem, at }];
    }
    // The gateway's session starts ready (a member paused on login is followed at once by its not-ready change).
    case AgentLoggedIn.type: return [
      { type: 'AgentLoggedIn', agentId: event.data.agentId, queueIds: event.data.queueIds, at },
      { type: 'AgentBecameReady', agentId: event.data.agentId, at },
    ];
    case AgentLoggedOut.type: return [{ type: 'AgentLoggedOut', agentId: event.data.agentId, at }];
    case AgentQueueMembershipChanged.type: return [{ type: 'AgentQueuesChanged', agentId: event.data.agentId, queueIds: event.data.queueIds, at }];
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
