import { TypeCompiler } from '@sinclair/typebox/compiler';
import { eventDefinition, type AnyEvent } from '../catalog/catalog';
import { AnyEnvelopeSchema, STRUCTURED_CONTENT_TYPE, type AnyEnvelope } from './envelope.schema';
import { collectErrors, ContractViolationError, type FieldError } from './validation';

const checkAnyEnvelope = TypeCompiler.Compile(AnyEnvelopeSchema);

/**
 * Result of decoding a Kafka record value.
 * - `event`: a valid event of a known type.
 * - `unknown-type`: a valid envelope of a type this contract version does not know. Consumers ignore it (architecture
 *   §2: consumers ignore unknown event types) — do not dead-letter it.
 * - `invalid`: not JSON, not a CloudEvent, or data not matching its schema. Dead-letter it with `errors`.
 */
export type DecodeResult =
  | { readonly status: 'event'; readonly event: AnyEvent }
  | { readonly status: 'unknown-type'; readonly envelope: AnyEnvelope }
  | {
      readonly status: 'invalid';
      readonly reason: 'invalid-json' | 'invalid-envelope' | 'invalid-data';
      readonly errors: readonly FieldError[];
    };

/** Validates an already-parsed value. */
export function validateEvent(value: unknown): DecodeResult {
  const envelopeErrors = collectErrors(checkAnyEnvelope, value);
  if (envelopeErrors.length > 0) return { status: 'invalid', reason: 'invalid-envelope', errors: envelopeErrors };
  const envelope = value as AnyEnvelope;
  const definition = eventDefinition(envelope.type);
  if (definition === undefined) return { status: 'unknown-type', envelope };
  const errors = collectErrors(definition.check, value);
  if (errors.length > 0) return { status: 'invalid', reason: 'invalid-data', errors };
  return { status: 'event', event: value as AnyEvent };
}

/** Kafka record value (UTF-8 JSON, CloudEvents structured mode) → validated event. Never throws. */
export function decode(value: Uint8Array | string | null | undefined): DecodeResult {
  if (value === null || value === undefined) {
    return { status: 'invalid', reason: 'invalid-json', errors: [{ path: '(root)', message: 'empty record value' }] };
  }
  const text = typeof value === 'string' ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return { status: 'invalid', reason: 'invalid-json', errors: [{ path: '(root)', message: (err as Error).message }] };
  }
  return validateEvent(parsed);
}

/** Validated event → Kafka record value. Throws `ContractViolationError` for an unknown type or invalid event. */
export function encode(event: AnyEvent | AnyEnvelope): Buffer {
  const result = validateEvent(event);
  if (result.status === 'invalid') throw new ContractViolationError(String(event.type), result.errors);
  if (result.status === 'unknown-type') {
    throw new ContractViolationError(event.type, [{ path: 'type', message: 'not an event type of this contract' }]);
  }
  return Buffer.from(JSON.stringify(event), 'utf8');
}

/** Headers for a structured-mode record (CloudEvents Kafka binding). Trace context is added by the producer. */
export const structuredHeaders = (): Record<string, string> => ({ 'content-type': STRUCTURED_CONTENT_TYPE });
