import { Type } from '@sinclair/typebox';
import { defineEvent } from './define-event';
import {
  AgentId, CallerHash, CallerMasked, CallId, Count, Extension, HoldCount, Millis, PartyTarget, PbxLinkId, Position,
  QueueId, Seconds, SkillId,
} from './common.schema';

/** Canonical call lifecycle, produced by the telephony gateway. Topic key and subject: the call id. */
const subject = 'call id';

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
    totalHoldSeconds: Seconds('All holds of this call so far'),
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
    holdCount: Count('Number of holds during the call'),
    totalHoldSeconds: Seconds('All holds of the call'),
    transferCount: Count('Number of transfers during the call'),
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

export const telephonyCallEvents = [
  CallOffered, CallQueued, CallRinging, CallAnswered, CallHeld, CallResumed, CallTransferred, CallConferenced,
  CallReleased, CallAbandoned, CallWrapUpCompleted, CallRecordingAvailable,
] as const;
