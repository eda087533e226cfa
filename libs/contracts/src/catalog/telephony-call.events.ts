import { Type } from '@sinclair/typebox';
import { defineEvent } from './define-event';
import {
  AgentId, CallerHash, CallerMasked, CallId, Count, Extension, HoldCount, Millis, PartyTarget, PbxLinkId, Position,
  QueueId, Seconds, SkillId,
} from './common.schema';

/** Canonical call lifecycle, produced by the telephony gateway. Topic key and subject: the call id. */
const subject = 'call id';

/**
 * Which queue visit of the call an event belongs to. A call blindly transferred back into a queue (the same one or
 * another) is a second visit with its own wait, answer or abandon; queue-scoped figures count visits, not calls.
 * Optional on the events published before it existed (additive evolution): consumers read an absent value as 1.
 */
const QueueVisit = Position('Ordinal of the queue visit within the call (1 = first queue entry)');
/**
 * The customer tier the PBX or CTI attached to the call (RT-11), e.g. `vip`: the dial plan sets it after a CRM dip, as
 * the channel variable SWITCHBOARD_CALLER_TIER (AMI `ChanVariable`, event-socket `variable_…`), or a webhook sends it.
 * Routing policies map tiers to priority. Not personal data: a class, never the caller's identity.
 */
const AddedCallerTier = Type.Optional(
  Type.String({
    pattern: '^[a-z0-9][a-z0-9_-]{0,31}$',
    description: 'Customer tier attached by the PBX/CTI (e.g. vip, gold); absent when none was attached: read as the standard tier',
  }),
);
const AddedQueueVisit = Type.Optional(
  Position('Ordinal of the queue visit within the call (1 = first queue entry); absent on events published before it was added: read as 1'),
);

export const CallOffered = defineEvent({
  name: 'CallOffered',
  type: 'switchboard.telephony.call.offered.v1',
  description: 'A call reached the platform (inbound) or was placed by it (outbound).',
  subject,
  data: Type.Object({
    callId: CallId,
    pbxLinkId: PbxLinkId,
    direction: Type.Union([Type.Literal('inbound'), Type.Literal('outbound')]),
    channel: Type.Union([Type.Literal('voice'), Type.Literal('video'), Type.Literal('fax')]),
    callerHash: CallerHash,
    callerMasked: CallerMasked,
    dialedNumber: Type.String({ pattern: '^[0-9+*#]{1,32}$', description: 'Access number (DNIS) the caller dialed' }),
    callerTier: AddedCallerTier,
  }),
});

export const CallQueued = defineEvent({
  name: 'CallQueued',
  type: 'switchboard.telephony.call.queued.v1',
  description: 'The call joined a queue.',
  subject,
  data: Type.Object({
    callId: CallId,
    queueId: QueueId,
    skillId: SkillId,
    position: Position('Position in the queue on joining (1 = head)'),
    queueLength: Count('Calls in the queue including this one'),
    queueVisit: AddedQueueVisit,
    callerTier: AddedCallerTier,
  }),
});

export const CallRinging = defineEvent({
  name: 'CallRinging',
  type: 'switchboard.telephony.call.ringing.v1',
  description: 'The call started ringing at an agent. `time` is when ringing started.',
  subject,
  data: Type.Object({
    callId: CallId,
    queueId: QueueId,
    agentId: AgentId,
    extension: Extension,
    offerAttempt: Position('How many agents this call has been offered to, this one included'),
    queueVisit: AddedQueueVisit,
  }),
});

export const CallAnswered = defineEvent({
  name: 'CallAnswered',
  type: 'switchboard.telephony.call.answered.v1',
  description: 'An agent answered the call.',
  subject,
  data: Type.Object({
    callId: CallId,
    queueId: QueueId,
    agentId: AgentId,
    extension: Extension,
    waitSeconds: Seconds('Time from queue entry to answer'),
    ringCount: Count('Rings heard at the answering agent before answer (GW-02: at most 2)'),
    ringDurationMs: Millis('Ringing time at the answering agent'),
    queueVisit: AddedQueueVisit,
  }),
});

export const CallHeld = defineEvent({
  name: 'CallHeld',
  type: 'switchboard.telephony.call.held.v1',
  description: 'The agent put the caller on hold.',
  subject,
  data: Type.Object({ callId: CallId, agentId: AgentId, holdCount: HoldCount }),
});

export const CallResumed = defineEvent({
  name: 'CallResumed',
  type: 'switchboard.telephony.call.resumed.v1',
  description: 'The caller was taken off hold.',
  subject,
  data: Type.Object({
    callId: CallId,
    agentId: AgentId,
    holdCount: HoldCount,
    holdSeconds: Seconds('Duration of this hold'),
    totalHoldSeconds: Seconds('All holds since this agent answered (this queue visit) so far'),
  }),
});

export const CallTransferred = defineEvent({
  name: 'CallTransferred',
  type: 'switchboard.telephony.call.transferred.v1',
  description: 'The agent transferred the call.',
  subject,
  data: Type.Object({
    callId: CallId,
    fromAgentId: AgentId,
    transferType: Type.Union([Type.Literal('blind'), Type.Literal('attended')]),
    target: PartyTarget,
    transferCount: Position('Ordinal of this transfer within the call'),
  }),
});

export const CallConferenced = defineEvent({
  name: 'CallConferenced',
  type: 'switchboard.telephony.call.conferenced.v1',
  description: 'A third party joined the call (three-way call).',
  subject,
  data: Type.Object({
    callId: CallId,
    agentId: AgentId,
    added: PartyTarget,
    participantCount: Type.Integer({ minimum: 3, description: 'Parties in the conference after the join' }),
  }),
});

export const CallReleased = defineEvent({
  name: 'CallReleased',
  type: 'switchboard.telephony.call.released.v1',
  description: 'An answered call ended. Unanswered calls end with CallAbandoned instead.',
  subject,
  data: Type.Object({
    callId: CallId,
    agentId: AgentId,
    releasedBy: Type.Union([Type.Literal('caller'), Type.Literal('agent'), Type.Literal('system')]),
    talkSeconds: Seconds('From answer to release, hold included'),
    holdCount: Count('Number of holds since this agent answered (this queue visit)'),
    totalHoldSeconds: Seconds('All holds since this agent answered (this queue visit)'),
    transferCount: Count('Number of transfers of the whole call so far (all visits)'),
  }),
});

export const CallAbandoned = defineEvent({
  name: 'CallAbandoned',
  type: 'switchboard.telephony.call.abandoned.v1',
  description: 'The caller hung up while waiting in a queue.',
  subject,
  data: Type.Object({
    callId: CallId,
    queueId: QueueId,
    waitSeconds: Seconds('Time from queue entry to abandon'),
    position: Position('Position in the queue when the caller hung up'),
    originalPosition: Position('Position on joining the queue'),
    queueVisit: AddedQueueVisit,
  }),
});

export const CallWrapUpCompleted = defineEvent({
  name: 'CallWrapUpCompleted',
  type: 'switchboard.telephony.call.wrap-up-completed.v1',
  description: 'The agent finished after-call work for the call.',
  subject,
  data: Type.Object({
    callId: CallId,
    agentId: AgentId,
    acwSeconds: Seconds('After-call work duration'),
    dispositionCode: Type.String({ pattern: '^[A-Z][A-Z0-9_]{0,63}$', description: 'e.g. RESOLVED, HARASSMENT' }),
  }),
});

export const CallRecordingAvailable = defineEvent({
  name: 'CallRecordingAvailable',
  type: 'switchboard.telephony.call.recording-available.v1',
  description: 'The immutable original recording of the call is stored (GW-06).',
  subject,
  data: Type.Object({
    callId: CallId,
    agentId: AgentId,
    recordingId: Type.String({ minLength: 1, maxLength: 128 }),
    storageUri: Type.String({ pattern: '^[a-z][a-z0-9+.-]*://.+$', description: 'Where the original is stored' }),
    sha256: Type.String({ pattern: '^[0-9a-f]{64}$', description: 'Hash of the original file' }),
    mediaType: Type.String({ pattern: '^audio/[a-z0-9.+-]+$', description: 'e.g. audio/wav' }),
    durationSeconds: Seconds('Recording length'),
  }),
});

export const CallQueueTimedOut = defineEvent({
  name: 'CallQueueTimedOut',
  type: 'switchboard.telephony.call.queue-timed-out.v1',
  description:
    'The queue gave up on the caller (queue timeout, e.g. Asterisk EXITWITHTIMEOUT) and the dial plan took the call ' +
    'elsewhere (voicemail, callback offer, another number). Not an abandon: the caller did not hang up.',
  subject,
  data: Type.Object({
    callId: CallId,
    queueId: QueueId,
    waitSeconds: Seconds('Time from queue entry to the timeout'),
    position: Position('Position in the queue when it timed out'),
    originalPosition: Position('Position on joining the queue'),
    queueVisit: QueueVisit,
  }),
});

/** The assignment routing made, as the gateway refers to it. */
const AssignmentRef = {
  callId: CallId,
  agentId: AgentId,
  assignmentEventId: Type.String({ minLength: 1, maxLength: 128, description: 'CloudEvents id of the CallAssignedToAgent carried out' }),
  pbxLinkId: PbxLinkId,
};

export const CallAssignmentExecuted = defineEvent({
  name: 'CallAssignmentExecuted',
  type: 'switchboard.telephony.call.assignment-executed.v1',
  description: "The PBX accepted the action carrying out routing's assignment (AMI Redirect or event-socket transfer).",
  subject,
  data: Type.Object({
    ...AssignmentRef,
    action: Type.Union([Type.Literal('redirect'), Type.Literal('bridge'), Type.Literal('esl-transfer')]),
    queuedToExecutedMs: Millis('From the call joining the PBX queue to the PBX accepting the action'),
  }),
});

export const CallAssignmentFailed = defineEvent({
  name: 'CallAssignmentFailed',
  type: 'switchboard.telephony.call.assignment-failed.v1',
  description:
    "Routing's assignment could not be carried out; the agent was not connected and routing should offer the call " +
    'again. Also emitted when the outcome is unknown because the gateway stopped while executing.',
  subject,
  data: Type.Object({
    ...AssignmentRef,
    failure: Type.Union([
      Type.Literal('pbx-refused'),
      Type.Literal('unknown-call'),
      Type.Literal('call-not-waiting'),
      Type.Literal('agent-not-logged-in'),
      Type.Literal('link-down'),
      Type.Literal('timeout'),
      Type.Literal('outcome-unknown'),
    ], {
      description:
        'Machine-readable failure class. call-not-waiting: the call is known but not in a queue now (answered, in a ' +
        'retry pause, gone), so the call rather than the agent is the problem.',
    }),
    reason: Type.String({ minLength: 1, maxLength: 512, description: "The PBX's or gateway's words, e.g. \"PBX: No such channel\"" }),
  }),
});

export const telephonyCallEvents = [
  CallOffered, CallQueued, CallRinging, CallAnswered, CallHeld, CallResumed, CallTransferred, CallConferenced,
  CallReleased, CallAbandoned, CallWrapUpCompleted, CallRecordingAvailable, CallQueueTimedOut, CallAssignmentExecuted,
  CallAssignmentFailed,
] as const;
