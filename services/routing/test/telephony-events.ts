import {
  AgentLoggedIn, AgentQueueMembershipChanged, AgentRingNoAnswer, AgentStateChanged, CallAbandoned, CallAssignmentExecuted, CallAssignmentFailed, CallQueued, createEnvelope, systemEnvelopeDeps, toKafkaRecord,
  type AnyEvent, type DataOf, type EventDefinition,
} from '@switchboard/contracts';

type AgentState = DataOf<typeof AgentStateChanged>['current'];

/** Contract-valid gateway events with per-subject sequences and PBX times that move forward one second per event. */
export class TelephonyEvents {
  private readonly sequences = new Map<string, number>();
  constructor(private t: number) {}

  agentLoggedIn(agentId: string, queueIds: string[]): AnyEvent {
    return this.event(AgentLoggedIn, agentId, { agentId, extension: ext(agentId), pbxLinkId: 'nc1', queueIds });
  }

  agentState(agentId: string, current: AgentState, previous: AgentState = { status: 'not-ready', reason: 'busy' }): AnyEvent {
    return this.event(AgentStateChanged, agentId, { agentId, extension: ext(agentId), previous, current, previousStateSeconds: 1 });
  }

  callQueued(callId: string, queueId: string): AnyEvent {
    return this.event(CallQueued, callId, { callId, queueId, skillId: queueId, position: 1, queueLength: 1 });
  }

  callAbandoned(callId: string, queueId: string): AnyEvent {
    return this.event(CallAbandoned, callId, { callId, queueId, waitSeconds: 10, position: 1, originalPosition: 1 });
  }

  /** After log-in: `queueIds` is every queue the agent is in afterwards. */
  queueMembershipChanged(agentId: string, queueIds: string[], added: string[], removed: string[]): AnyEvent {
    return this.event(AgentQueueMembershipChanged, agentId, { agentId, extension: ext(agentId), pbxLinkId: 'nc1', queueIds, added, removed });
  }

  /** The gateway's outcome of carrying out routing's assignment event `assignmentEventId`. */
  assignmentFailed(callId: string, agentId: string, assignmentEventId: string, failure: DataOf<typeof CallAssignmentFailed>['failure'] = 'pbx-refused'): AnyEvent {
    const reason = failure === 'call-not-waiting' ? `PBX: call ${callId} is not in a queue` : `PBX: agent ${agentId} is not available`;
    return this.event(CallAssignmentFailed, callId, { callId, agentId, assignmentEventId, pbxLinkId: 'nc1', failure, reason });
  }

  assignmentExecuted(callId: string, agentId: string, assignmentEventId: string): AnyEvent {
    return this.event(CallAssignmentExecuted, callId, { callId, agentId, assignmentEventId, pbxLinkId: 'nc1', action: 'redirect', queuedToExecutedMs: 40 });
  }

  ringNoAnswer(agentId: string, callId: string, queueId: string): AnyEvent {
    return this.event(AgentRingNoAnswer, agentId, { agentId, extension: ext(agentId), callId, queueId, ringDurationMs: 15000 });
  }

  private event<E extends EventDefinition>(definition: E, subject: string, data: DataOf<E>): AnyEvent {
    const sequence = (this.sequences.get(subject) ?? 0) + 1;
    this.sequences.set(subject, sequence);
    this.t += 1000;
    return createEnvelope(definition, { service: 'telephony-gateway', site: 'nanchang', tenant: 'acme', subject, sequence, data, id: systemEnvelopeDeps.newId(), time: new Date(this.t) }) as unknown as AnyEvent;
  }
}

const ext = (agentId: string) => `8${agentId.replace(/\D/g, '').padStart(3, '0')}`;

/** Kafka messages for `topic` (the test's own name for the registry topic the event belongs on). */
export const toMessages = (events: AnyEvent[]) => events.map((e) => {
  const r = toKafkaRecord(e);
  return { key: r.key, value: r.value, headers: r.headers };
});
