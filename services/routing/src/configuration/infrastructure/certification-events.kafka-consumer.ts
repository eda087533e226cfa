import type { Kafka, Producer } from 'kafkajs';
import type { Pool } from 'pg';
import { SkillCertificationRevoked, SkillCertified, Topics, type AnyEvent } from '@switchboard/contracts';
import { cloudEventDecoder, ConsumerRunner, type MessageContext } from '@switchboard/eventsourcing';
import type { RoutingConfiguration } from '../application/routing-configuration';
import type { AgentSkillProfileCommand } from '../domain/agent-skill-profile.decider';

/** Training certifications -> the agent's routable skills (RT-08). Offsets and profile events commit together. */
export function certificationConsumer(o: { kafka: Kafka; pool: Pool; deadLetterProducer: Producer; configuration: RoutingConfiguration; groupId: string; topic?: string }) {
  return new ConsumerRunner<AnyEvent>({
    kafka: o.kafka, pool: o.pool, groupId: o.groupId, deadLetterProducer: o.deadLetterProducer,
    topics: [o.topic ?? Topics.trainingCertification.name],
    decode: cloudEventDecoder({ eventTypes: [SkillCertified.type, SkillCertificationRevoked.type] }),
    handle: async (event: AnyEvent, ctx: MessageContext) => {
      const command = toProfileCommand(event);
      if (command !== null) await o.configuration.changeProfileWithin(ctx.client, command.data.agentId, command);
    },
  });
}

export function toProfileCommand(event: AnyEvent): AgentSkillProfileCommand | null {
  if (event.type === SkillCertified.type) {
    const d = event.data as { agentId: string; skillId: string; proficiency: number; certificationId: string; assessedBy: string };
    return { type: 'RecordSkillCertification', data: { ...d, at: event.time } };
  }
  if (event.type === SkillCertificationRevoked.type) {
    const d = event.data as { agentId: string; skillId: string; certificationId: string; reason: string };
    return { type: 'RecordCertificationRevocation', data: { ...d, at: event.time } };
  }
  return null;
}
