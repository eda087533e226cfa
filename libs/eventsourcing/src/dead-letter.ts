import { dlqTopicOf, DlqHeaders, type DlqReason } from '@switchboard/contracts';

/** Input that can never be handled (e.g. schema-invalid). It is dead-lettered at once, without retries. */
export class PoisonMessage extends Error {
  constructor(message: string, readonly reason: Exclude<DlqReason, 'handler-error'> = 'invalid-data') {
    super(message);
    this.name = 'PoisonMessage';
  }
}

/** The dead-letter topic of a topic; the contracts' topic registry owns the naming (`<topic>.dlq`). */
export const deadLetterTopic = (topic: string): string => dlqTopicOf(topic);

export interface DeadLetterInfo {
  reason: DlqReason;
  error: string;
  topic: string;
  partition: number;
  offset: string;
  groupId: string;
  /** Handler attempts before giving up; 0 for input that was never handed to the handler. */
  attempts: number;
}

/** Headers a dead letter carries (names from the contracts' `DlqHeaders`), so an operator can see why and replay it. */
export function deadLetterHeaders(i: DeadLetterInfo, now = new Date()): Record<string, string> {
  return {
    [DlqHeaders.reason]: i.reason,
    [DlqHeaders.error]: i.error.slice(0, 1000),
    [DlqHeaders.originalTopic]: i.topic,
    [DlqHeaders.originalPartition]: String(i.partition),
    [DlqHeaders.originalOffset]: i.offset,
    [DlqHeaders.consumerGroup]: i.groupId,
    [DlqHeaders.attempts]: String(i.attempts),
    [DlqHeaders.failedAt]: now.toISOString(),
  };
}
