import { eventDefinition, type AnyEvent } from '../catalog/catalog';
import type { DataOf, EventDefinition } from '../catalog/define-event';
import { topicOf } from '../topics';
import { encode, structuredHeaders } from './codec';
import { createEnvelope, type EnvelopeDeps, type EnvelopeInput } from './create-envelope';
import { TYPE_PATTERN } from './envelope.schema';

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

const typePattern = new RegExp(TYPE_PATTERN);
const checkedByCreateEnvelopeOf = new WeakMap<EventDefinition, boolean>();

/**
 * Whether `createEnvelope`'s check with this definition already is all `encode` checks: the definition is the
 * catalog's for its type (so `encode` would run the same compiled check) and its type matches the envelope's pattern
 * (the rest of the any-envelope check is the definition's own attributes).
 */
function checkedByCreateEnvelope(definition: EventDefinition): boolean {
  let known = checkedByCreateEnvelopeOf.get(definition);
  if (known === undefined) {
    known = eventDefinition(definition.type) === definition && typePattern.test(definition.type);
    checkedByCreateEnvelopeOf.set(definition, known);
  }
  return known;
}

/**
 * `toKafkaRecord(createEnvelope(definition, input, deps))`, the same record and the same errors, validating the
 * envelope once instead of twice (the gateway encodes an event per frame or more).
 */
export function createKafkaRecord<E extends EventDefinition>(definition: E, input: EnvelopeInput<DataOf<E>>, deps?: EnvelopeDeps): KafkaEventRecord {
  const envelope = createEnvelope(definition, input, deps) as unknown as AnyEvent;
  if (!checkedByCreateEnvelope(definition)) return toKafkaRecord(envelope);
  return { topic: topicOf(envelope.type).name, key: envelope.subject, value: Buffer.from(JSON.stringify(envelope), 'utf8'), headers: structuredHeaders() };
}
