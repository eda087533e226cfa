import type { AssignmentFailure, AssignmentOutcome, AssignmentSettled } from '../../call-tracking/domain/vendor-events';
import type { Assignment, AssignmentPlan } from './assignment-plan';

/** How the action went on the link: the PBX's answer, or why none came. */
export type ActionResult =
  | { readonly kind: 'answered'; readonly accepted: boolean; readonly message: string }
  | { readonly kind: 'link-error'; readonly message: string };

const LINK_DOWN = /link is down|not connected|socket|ECONNRESET|EPIPE/i;
const NO_ANSWER = /no (response|reply)|timed? ?out/i;
/** PBX wording for an agent who is not there (the simulator: `agent 1002 is not available`; Asterisk: no such extension). */
const AGENT_MISSING = /agent .* not (available|logged)|not logged in/i;

/**
 * PBX wording for a caller channel that is no longer there to move or no longer waiting in a queue (Asterisk and
 * FreeSWITCH: `No such channel`; the simulator: `call … is not waiting in a queue` while it rings an agent or waits
 * out a ring-no-answer retry).
 */
const CALL_NOT_WAITING = /no such channel|not waiting|no longer (waiting|in)/i;

/**
 * The failure class routing acts on, from the PBX's words or the link's error. An action is only sent for a call the
 * gateway knows (its caller channel was recorded), so a refusal naming the call means the call is not waiting now.
 */
export function failureOf(result: ActionResult): AssignmentFailure {
  if (result.kind === 'link-error') {
    if (LINK_DOWN.test(result.message)) return 'link-down';
    return NO_ANSWER.test(result.message) ? 'timeout' : 'outcome-unknown';
  }
  if (AGENT_MISSING.test(result.message)) return 'agent-not-logged-in';
  return CALL_NOT_WAITING.test(result.message) ? 'call-not-waiting' : 'pbx-refused';
}

/**
 * The outcome event data for an assignment: executed (with the latency from the caller joining the PBX queue to the
 * PBX accepting the action, both on the gateway's clock), or failed with its class and the words behind it.
 */
export function outcomeOf(plan: Exclude<AssignmentPlan, { kind: 'not-ours' }>, result: ActionResult | null, queuedAtMs: number | null, settledAtMs: number): AssignmentOutcome {
  if (plan.kind === 'reject') return { status: 'failed', failure: plan.failure, reason: plan.reason };
  if (result === null) return { status: 'failed', failure: 'outcome-unknown', reason: 'no action was sent' };
  if (result.kind === 'answered' && result.accepted) {
    return { status: 'executed', action: plan.protocol === 'esl' ? 'esl-transfer' : 'redirect', queuedToExecutedMs: queuedAtMs === null ? 0 : Math.max(0, settledAtMs - queuedAtMs) };
  }
  const words = result.kind === 'answered' ? `PBX: ${result.message || 'no message'}` : `${plan.protocol === 'esl' ? 'ESL' : 'AMI'}: ${result.message}`;
  return { status: 'failed', failure: failureOf(result), reason: words.slice(0, 512) };
}

/** Outcome of a row left `executing` by a stop: the action may or may not have reached the PBX. */
export const INTERRUPTED: AssignmentOutcome = { status: 'failed', failure: 'outcome-unknown', reason: 'outcome unknown: gateway stopped while executing' };

/** The final state of an assignment's execution row (`gw_assignment_executions`, while it is still `executing`). */
export interface ExecutionUpdate {
  readonly eventId: string;
  readonly status: 'executed' | 'failed';
  readonly reason: string | null;
  /** The action text sent to the PBX (null when none was sent). */
  readonly action: string | null;
}

/**
 * What a link's pipeline commits for a settled assignment, atomically: the outcome event (numbered in the call's own
 * sequence by the call tracker, caused by routing's CallAssignedToAgent, in its correlation) and the update of the
 * assignment's execution row (in the batch's one statement, ADR 0016).
 */
export interface Settlement {
  readonly kind: 'settlement';
  readonly event: AssignmentSettled;
  readonly causationid: string;
  readonly correlationid: string;
  readonly execution: ExecutionUpdate;
}

/** The call's key on its link (`<pbxLinkId>:<key>` → `<key>`). */
export const callKeyOf = (callId: string, pbxLinkId: string): string => callId.slice(pbxLinkId.length + 1);

/**
 * The tracker's vendor event for an outcome. `at` is the gateway's clock; the tracker stamps the event with the PBX
 * time it last saw instead (the call's other events are on PBX time, which a simulator may run compressed).
 */
export function settledEvent(a: Assignment, pbxLinkId: string, outcome: AssignmentOutcome, atMs: number): AssignmentSettled {
  return { type: 'AssignmentSettled', at: atMs, callKey: callKeyOf(a.callId, pbxLinkId), assignmentEventId: a.eventId, agentId: a.agentId, outcome };
}
