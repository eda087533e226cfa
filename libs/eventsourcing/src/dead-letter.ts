/** Input that can never be handled (e.g. schema-invalid). It is dead-lettered at once, without retries. */
export class PoisonMessage extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PoisonMessage';
  }
}

/** The dead-letter topic of a topic: `<topic>.dlq` (the naming the topic registry documents). */
export const deadLetterTopic = (topic: string) => `${topic}.dlq`;

export interface DeadLetterInfo {
  reason: 'invalid-message' | 'handler-failed' | string;
  error: string;
  topic: string;
  partition: number;
  offset: string;
  groupId: string;
}

/** Headers a dead letter carries, so an operator can see why and where it came from, and replay it. */
export function deadLetterHeaders(i: DeadLetterInfo): Record<string, string> {
  return {
    'dlq-reason': i.reason,
    'dlq-error': i.error.slice(0, 1000),
    'dlq-original-topic': i.topic,
    'dlq-original-partition': String(i.partition),
    'dlq-original-offset': i.offset,
    'dlq-consumer-group': i.groupId,
  };
}
