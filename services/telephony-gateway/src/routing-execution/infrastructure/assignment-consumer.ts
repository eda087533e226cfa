import { CallAssignedToAgent, Topics, type AnyEvent } from '@switchboard/contracts';
import { cloudEventDecoder, ConsumerRunner } from '@switchboard/eventsourcing';
import type { Kafka, Producer } from 'kafkajs';
import type { Pool } from 'pg';
import type { Registry } from 'prom-client';
import type { AssignmentOutcome } from '../../call-tracking/domain/vendor-events';
import type { Assignment } from '../domain/assignment-plan';
import type { AssignmentExecutor, ClaimedAssignment } from './assignment-executor';
import { PerCallScheduler } from './per-call-scheduler';

/** PBX actions in flight at once by default (each awaiting the PBX's reply). */
export const DEFAULT_ASSIGNMENT_CONCURRENCY = 16;

export interface AssignmentConsumerOptions {
  readonly kafka: Kafka;
  readonly pool: Pool;
  readonly deadLetterProducer: Producer;
  readonly executor: AssignmentExecutor;
  /** Default `Topics.routingAssignment` (tests use a topic of their own). */
  readonly topic?: string;
  readonly groupId?: string;
  /**
   * Most PBX actions in flight at once (default DEFAULT_ASSIGNMENT_CONCURRENCY); those of one call always one after
   * another, in the order routing published them. Claimed assignments whose action is not yet answered are bounded
   * to twice this: beyond it the consumer waits before claiming more.
   */
  readonly concurrency?: number;
  readonly metrics?: Registry;
  readonly onExecuted?: (a: Assignment, outcome: AssignmentOutcome) => void;
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
 *
 * The assignments a fetch delivers, of all its partitions, are claimed in one statement in one transaction, so the
 * claims commit with the consumed offsets; only after that commit are their actions sent, concurrently across calls and in order within a
 * call (a call's assignments share its key, so they arrive in order on one partition). Claims are the event-id
 * dedupe: a redelivered or republished assignment is never sent twice, and one claimed but not carried out when the
 * gateway stops abruptly is reported `outcome-unknown` at the next start.
 */
export function assignmentConsumer(o: AssignmentConsumerOptions): ConsumerRunner<AnyEvent> {
  const concurrency = o.concurrency ?? DEFAULT_ASSIGNMENT_CONCURRENCY;
  const scheduler = new PerCallScheduler(concurrency);
  // A slot is held while the PBX action is in flight; the outcome's commit is awaited outside it.
  const carryOut = async (claimed: ClaimedAssignment) => {
    let done: { outcome: AssignmentOutcome; settled: Promise<void> } | undefined;
    await scheduler.run(claimed.assignment.callId, async () => { done = await o.executor.carryOut(claimed); });
    await done!.settled;
    o.onExecuted?.(claimed.assignment, done!.outcome);
  };
  return new ConsumerRunner<AnyEvent>({
    kafka: o.kafka, pool: o.pool, deadLetterProducer: o.deadLetterProducer, metrics: o.metrics, onError: o.onError,
    groupId: o.groupId ?? 'telephony-gateway.assignments', topics: [o.topic ?? Topics.routingAssignment.name],
    // Offsets live in Postgres with the claims, so a restart resumes where it stopped; nothing is skipped.
    fromBeginning: true, chunkSize: 50, sessionTimeoutMs: 10_000, dedupeEventIds: false,
    // Every partition a fetch delivers is claimed in one transaction.
    partitionsPerTransaction: Topics.routingAssignment.partitions,
    decode: cloudEventDecoder({ eventTypes: [CallAssignedToAgent.type] }),
    beforeChunk: () => scheduler.whenPendingBelow(2 * concurrency),
    handleBatch: async (items, ctx) => {
      const assignments = items.flatMap(({ value }) => assignmentOf(value) ?? []);
      const claimed = await o.executor.claim(ctx.client, assignments);
      if (claimed.length > 0) ctx.afterCommit(() => Promise.all(claimed.map(carryOut)).then(() => undefined));
    },
  });
}
