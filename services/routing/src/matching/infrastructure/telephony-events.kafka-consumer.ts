import type { Kafka, Producer } from 'kafkajs';
import type { Pool } from 'pg';
import { CallAssignmentFailed, type AnyEvent } from '@switchboard/contracts';
import { cloudEventDecoder, ConsumerRunner, type MessageContext } from '@switchboard/eventsourcing';
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
 * Live state from telephony facts (one consumer for both topics, so inputs reach the engine one at a time). Each
 * input is journaled with its decisions in the transaction that stores the consumed offsets: exactly-once effects.
 */
export function telephonyConsumer(o: TelephonyConsumerOptions): ConsumerRunner<AnyEvent> {
  return new ConsumerRunner<AnyEvent>({
    kafka: o.kafka, pool: o.pool, groupId: o.groupId, deadLetterProducer: o.deadLetterProducer, topics: o.topics,
    sessionTimeoutMs: o.sessionTimeoutMs, chunkSize: o.chunkSize,
    decode: cloudEventDecoder({ eventTypes: TELEPHONY_INPUT_TYPES }),
    handle: async (event: AnyEvent, ctx: MessageContext) => {
      await o.beforeEach?.();
      const offerSeq = event.type === CallAssignmentFailed.type ? await o.router.offerOf(ctx.client, event.data.assignmentEventId) : null;
      for (const input of telephonyInputs(event, () => offerSeq)) await o.router.applyWithin(ctx.client, input);
    },
  });
}
