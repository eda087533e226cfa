import type { Kafka, Producer } from 'kafkajs';
import type { Pool } from 'pg';
import { CallAssignmentFailed, Topics, type AnyEvent } from '@switchboard/contracts';
import { cloudEventDecoder, ConsumerRunner, type BatchItem } from '@switchboard/eventsourcing';
import type { LiveRouter } from '../application/live-router';
import { TELEPHONY_INPUT_TYPES, telephonyInputs } from '../application/telephony-inputs';

export interface TelephonyConsumerOptions {
  kafka: Kafka;
  pool: Pool;
  deadLetterProducer: Producer;
  router: LiveRouter;
  groupId: string;
  /** The call and agent event topics (from `Topics`; unique names in tests). */
  topics: string[];
  sessionTimeoutMs?: number;
  chunkSize?: number;
  /** Test seam: runs before each event is applied (to slow a worker down so it can be killed mid-stream). */
  beforeEach?: () => Promise<void>;
}

/**
 * Live state from telephony facts (one consumer for both topics, so inputs reach the engine one at a time). A chunk's
 * inputs are journaled with their decisions, in set-based statements, in the transaction that stores the consumed
 * offsets: exactly-once effects. If the chunk fails, the runner re-applies it one event at a time (a bad event is
 * dead-lettered alone) and the router, finding its engine ahead of the journal, rebuilds it first.
 */
export function telephonyConsumer(o: TelephonyConsumerOptions): ConsumerRunner<AnyEvent> {
  return new ConsumerRunner<AnyEvent>({
    kafka: o.kafka, pool: o.pool, groupId: o.groupId, deadLetterProducer: o.deadLetterProducer, topics: o.topics,
    sessionTimeoutMs: o.sessionTimeoutMs, chunkSize: o.chunkSize,
    // Every partition a fetch delivers goes into one transaction: one journal lock, one commit per fetch.
    partitionsPerTransaction: Topics.telephonyCall.partitions + Topics.telephonyAgent.partitions,
    decode: cloudEventDecoder({ eventTypes: TELEPHONY_INPUT_TYPES }),
    handleBatch: async (items: BatchItem<AnyEvent>[], ctx) => {
      const failedAssignments = items.flatMap(({ value: e }) => (e.type === CallAssignmentFailed.type ? [e.data.assignmentEventId] : []));
      const offers = await o.router.offersOf(ctx.client, failedAssignments);
      const inputs = [];
      for (const { value } of items) {
        await o.beforeEach?.();
        inputs.push(...telephonyInputs(value, (id) => offers.get(id) ?? null));
      }
      await o.router.applyAllWithin(ctx.client, inputs);
    },
  });
}
