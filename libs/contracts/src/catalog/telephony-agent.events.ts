import { Type } from '@sinclair/typebox';
import { defineEvent } from './define-event';
import { AgentId, CallId, Extension, Millis, PbxLinkId, QueueId, Seconds } from './common.schema';

/** Agent sessions and states as seen by the PBX/CTI. Topic key and subject: the agent id. */
const subject = 'agent id';

export const NOT_READY_REASONS = ['busy', 'break', 'meal', 'meeting', 'training', 'after-call-work'] as const;
export const NotReadyReason = Type.Union(NOT_READY_REASONS.map((r) => Type.Literal(r)));

/** Agent state as a discriminated union on `status`; each status carries exactly what it needs. */
export const AgentState = Type.Union([
  Type.Object({ status: Type.Literal('ready') }),
  Type.Object({ status: Type.Literal('not-ready'), reason: NotReadyReason }),
  Type.Object({ status: Type.Literal('on-call'), callId: CallId }),
  Type.Object({ status: Type.Literal('wrap-up'), callId: CallId }),
]);

export const AgentLoggedIn = defineEvent({
  name: 'AgentLoggedIn',
  type: 'switchboard.telephony.agent.logged-in.v1',
  description: 'The agent logged in with their own id at a seat.',
  subject,
  data: Type.Object({
    agentId: AgentId,
    extension: Extension,
    pbxLinkId: PbxLinkId,
    queueIds: Type.Array(QueueId, { description: 'Queues the agent is a member of on the PBX' }),
  }),
});

export const AgentLoggedOut = defineEvent({
  name: 'AgentLoggedOut',
  type: 'switchboard.telephony.agent.logged-out.v1',
  description: 'The agent logged out (or was logged out by the system).',
  subject,
  data: Type.Object({
    agentId: AgentId,
    extension: Extension,
    loggedOutBy: Type.Union([Type.Literal('agent'), Type.Literal('supervisor'), Type.Literal('system')]),
    sessionSeconds: Seconds('Length of the session that ended'),
  }),
});

export const AgentStateChanged = defineEvent({
  name: 'AgentStateChanged',
  type: 'switchboard.telephony.agent.state-changed.v1',
  description: 'The agent moved between ready, not-ready(reason), on-call and wrap-up.',
  subject,
  data: Type.Object({
    agentId: AgentId,
    extension: Extension,
    previous: AgentState,
    current: AgentState,
    previousStateSeconds: Seconds('Time spent in the previous state'),
  }),
});

export const AgentRingNoAnswer = defineEvent({
  name: 'AgentRingNoAnswer',
  type: 'switchboard.telephony.agent.ring-no-answer.v1',
  description: 'A call rang at the agent and was not answered (Asterisk AgentRingNoAnswer, normalised to ms).',
  subject,
  data: Type.Object({
    agentId: AgentId,
    extension: Extension,
    callId: CallId,
    queueId: QueueId,
    ringDurationMs: Millis('How long it rang'),
  }),
});

export const AgentQueueMembershipChanged = defineEvent({
  name: 'AgentQueueMembershipChanged',
  type: 'switchboard.telephony.agent.queue-membership-changed.v1',
  description:
    'A logged-in agent joined or left PBX queues (AgentLoggedIn lists the queues at log-in; this carries later changes).',
  subject,
  data: Type.Object({
    agentId: AgentId,
    extension: Extension,
    pbxLinkId: PbxLinkId,
    queueIds: Type.Array(QueueId, { description: 'All queues the agent is a member of after the change' }),
    added: Type.Array(QueueId, { description: 'Queues joined by this change' }),
    removed: Type.Array(QueueId, { description: 'Queues left by this change' }),
  }),
});

export const telephonyAgentEvents = [
  AgentLoggedIn, AgentLoggedOut, AgentStateChanged, AgentRingNoAnswer, AgentQueueMembershipChanged,
] as const;
