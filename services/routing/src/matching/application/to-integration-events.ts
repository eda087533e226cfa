import {
  CallAssignedToAgent, CallOverflowed, CallReoffered, CallUnroutable, createEnvelope, toKafkaRecord,
  type AnyEvent, type DataOf, type EnvelopeDeps,
} from '@switchboard/contracts';
import type { OutboxMessage } from '@switchboard/eventsourcing';
import type { RoutingDecision } from '../domain/routing-decision.events';

export interface PublishContext {
  readonly tenant: string;
  readonly site: string;
  readonly deps: EnvelopeDeps;
  /** Overrides the registry's assignment topic (tests publish to a topic of their own). */
  readonly topic?: string;
}

type Published = { definition: typeof CallAssignedToAgent; data: DataOf<typeof CallAssignedToAgent> }
  | { definition: typeof CallOverflowed; data: DataOf<typeof CallOverflowed> }
  | { definition: typeof CallUnroutable; data: DataOf<typeof CallUnroutable> }
  | { definition: typeof CallReoffered; data: DataOf<typeof CallReoffered> };

/** The decisions that have a contract event (toContract is not null for exactly these). */
export const PUBLISHED_DECISION_TYPES: readonly RoutingDecision['type'][] = ['CallAssigned', 'CallOverflowed', 'CallUnroutable', 'CallReoffered'];

/**
 * Routing decision -> public contract data. CallMovedToQueue and CallbackOffered have no contract event yet and
 * AgentMarkedNotReady is the gateway's fact to publish, so they stay internal (null).
 */
export function toContract(d: RoutingDecision): Published | null {
  switch (d.type) {
    case 'CallAssigned': {
      const { callId, queueId, agentId, step, policyId, policyVersion, skillId, waitSeconds, explanation } = d.data;
      return { definition: CallAssignedToAgent, data: {
        callId, queueId, agentId, step, policyId, policyVersion, waitSeconds, skillId: skillId ?? `queue:${queueId}`,
        explanation: { strategy: explanation.strategy, summary: explanation.summary, candidatesConsidered: explanation.candidatesConsidered, candidates: [...explanation.candidates] },
      } };
    }
    case 'CallOverflowed': {
      const { callId, queueId, fromStep, toStep, policyId, policyVersion, waitSeconds } = d.data;
      return { definition: CallOverflowed, data: { callId, queueId, fromStep, toStep, policyId, policyVersion, trigger: 'step-expired', waitSeconds } };
    }
    case 'CallUnroutable': {
      const { callId, queueId, reason, waitSeconds } = d.data;
      return { definition: CallUnroutable, data: { callId, queueId, reason, waitSeconds } };
    }
    case 'CallReoffered': {
      const { callId, queueId, previousAgentId, reason, attempt } = d.data;
      return { definition: CallReoffered, data: { callId, queueId, previousAgentId, reason, attempt } };
    }
    default: return null;
  }
}

/** Outbox rows for one call's decisions; `firstSequence` continues the call's published sequence without gaps. */
export function toOutbox(ctx: PublishContext, callId: string, decisions: readonly RoutingDecision[], firstSequence: number): OutboxMessage[] {
  return toOutboxEntries(ctx, callId, decisions, firstSequence).map((e) => e.message);
}

/** Each published decision with its outbox row and CloudEvents id (the gateway names an assignment by it). */
export function toOutboxEntries(ctx: PublishContext, callId: string, decisions: readonly RoutingDecision[], firstSequence: number):
  { decision: RoutingDecision; eventId: string; message: OutboxMessage }[] {
  const published = decisions.flatMap((d) => {
    const p = toContract(d);
    return p === null ? [] : [{ d, p }];
  });
  return published.map(({ d, p: published }, i) => {
    const envelope = createEnvelope(published.definition as typeof CallAssignedToAgent, {
      service: 'routing', site: ctx.site, tenant: ctx.tenant, subject: callId, sequence: firstSequence + i,
      data: published.data as DataOf<typeof CallAssignedToAgent>, time: new Date('decidedAt' in d.data ? d.data.decidedAt : 0),
    }, ctx.deps);
    const record = toKafkaRecord(envelope as unknown as AnyEvent);
    return { decision: d, eventId: envelope.id, message: { topic: ctx.topic ?? record.topic, key: record.key, value: record.value, headers: record.headers } };
  });
}
