import { CallAssignedToAgent, Topics, type AnyEvent } from '@switchboard/contracts';
import { cloudEventDecoder, ConsumerRunner } from '@switchboard/eventsourcing';
import type { Kafka, Producer } from 'kafkajs';
import type { Pool } from 'pg';
import type { Registry } from 'prom-client';
import type { Assignment } from '../domain/assignment-plan';
import type { AssignmentExecutor, ExecutionResult } from './assignment-executor';

export interface AssignmentConsumerOptions {
  readonly kafka: Kafka;
  readonly pool: Pool;
  readonly deadLetterProducer: Producer;
  readonly executor: AssignmentExecutor;
  /** Default `Topics.routingAssignment` (tests use a topic of their own). */
  readonly topic?: string;
  readonly groupId?: string;
  readonly metrics?: Registry;
  readonly onExecuted?: (a: Assignment, result: ExecutionResult) => void;
  readonly onError?: (e: Error) => void;
}

export function assignmentOf(event: AnyEvent): Assignment | null {
  if (event.type !== CallAssignedToAgent.type) return null;
  const { callId, agentId, queueId, waitSeconds } = event.data;
  return { eventId: event.id, callId, agentId, queueId, waitSeconds, correlationId: event.correlationid };
}

/**
 * Observes routing's decisions and executes each `CallAssignedToAgent` on the PBX. Other decisions (overflowed,
 * unroutable, re-offered) need no PBX action: the call keeps waiting in its queue until the next assignment.
 */
export function assignmentConsumer(o: AssignmentConsumerOptions): ConsumerRunner<AnyEvent> {
  return new ConsumerRunner<AnyEvent>({
    kafka: o.kafka, pool: o.pool, deadLetterProducer: o.deadLetterProducer, metrics: o.metrics, onError: o.onError,
    groupId: o.groupId ?? 'telephony-gateway.assignments', topics: [o.topic ?? Topics.routingAssignment.name],
    // Offsets live in Postgres with the claims, so a restart resumes where it stopped; nothing is skipped.
    fromBeginning: true, chunkSize: 50, sessionTimeoutMs: 10_000,
    decode: cloudEventDecoder({ eventTypes: [CallAssignedToAgent.type] }),
    handle: async (event) => {
      const a = assignmentOf(event);
      if (a === null) return;
      const result = await o.executor.execute(a);
      o.onExecuted?.(a, result);
    },
  });
}
