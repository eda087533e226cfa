import { CallAssignedToAgent, createEnvelope, systemEnvelopeDeps, toKafkaRecord, type AnyEvent } from '@switchboard/contracts';

/** A contract-valid `CallAssignedToAgent`, as routing would publish it (tests act as the router). */
export function assignmentEvent(callId: string, agentId: string, queueId: string, tenant: string): AnyEvent {
  return createEnvelope(CallAssignedToAgent, {
    service: 'routing', site: 'hq', tenant, subject: callId, sequence: 1, time: new Date(),
    data: { callId, agentId, queueId, skillId: `queue:${queueId}`, step: 0, policyId: 'default', policyVersion: 1, waitSeconds: 0,
      explanation: { strategy: 'longest-idle', summary: 'test', candidatesConsidered: 1, candidates: [] } },
  }, systemEnvelopeDeps) as unknown as AnyEvent;
}

export const kafkaMessages = (events: readonly AnyEvent[]) => events.map((e) => {
  const r = toKafkaRecord(e);
  return { key: r.key, value: r.value, headers: r.headers };
});
