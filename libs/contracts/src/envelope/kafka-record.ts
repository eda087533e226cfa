import type { AnyEvent } from '../catalog/catalog';
import { topicOf } from '../topics';
import { encode, structuredHeaders } from './codec';

/** What a producer (or the outbox relay) hands to Kafka for one event. */
export interface KafkaEventRecord {
  readonly topic: string;
  /** The aggregate id (= `subject`), so per-aggregate order holds. */
  readonly key: string;
  readonly value: Buffer;
  readonly headers: Record<string, string>;
}

/** Validates and encodes an event, and resolves its topic from the registry. */
export function toKafkaRecord(event: AnyEvent): KafkaEventRecord {
  return { topic: topicOf(event.type).name, key: event.subject, value: encode(event), headers: structuredHeaders() };
}
