import { decode, formatFieldError, type AnyEvent } from '@switchboard/contracts';
import type { KafkaMessage } from 'kafkajs';
import { DecodedMessage, IgnoredMessage, ignoreMessage } from './consumer-runner';
import { PoisonMessage } from './dead-letter';

export interface CloudEventDecoderOptions {
  /** Event types this consumer handles; other known types are skipped (not dead-lettered). Default: all. */
  eventTypes?: readonly string[];
}

/**
 * ConsumerRunner's `decode` for CloudEvents topics: a valid event is handed over with its `id` as the dedupe key;
 * an unknown or unhandled type is skipped (architecture §2: consumers ignore unknown types); anything invalid is a
 * PoisonMessage naming the offending fields, so it is dead-lettered with its reason.
 */
export function cloudEventDecoder(options: CloudEventDecoderOptions = {}): (message: KafkaMessage) => DecodedMessage<AnyEvent> | IgnoredMessage {
  const handled = options.eventTypes && new Set(options.eventTypes);
  return (message) => {
    const result = decode(message.value);
    if (result.status === 'invalid') throw new PoisonMessage(result.errors.map(formatFieldError).join('; '), result.reason);
    if (result.status === 'unknown-type') return ignoreMessage('unknown-type');
    if (handled && !handled.has(result.event.type)) return ignoreMessage('not-handled');
    return { eventId: result.event.id, value: result.event };
  };
}
