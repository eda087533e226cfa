import { KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError } from 'kafkajs';
import { isProducerSequenceBroken } from './outbox-relay';

// kafkajs builds protocol errors from broker error codes; 45 = OUT_OF_ORDER_SEQUENCE_NUMBER, 59 = UNKNOWN_PRODUCER_ID.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createErrorFromCode } = require('kafkajs/src/protocol/error') as { createErrorFromCode: (code: number) => object };
const protocolError = (code: number) => new KafkaJSProtocolError(createErrorFromCode(code) as never);

describe('isProducerSequenceBroken', () => {
  it('should recognise an out-of-order sequence number, bare or wrapped in the retrier\'s error', () => {
    expect(isProducerSequenceBroken(protocolError(45))).toBe(true);
    expect(isProducerSequenceBroken(new KafkaJSNumberOfRetriesExceeded(protocolError(45), { retryCount: 5, retryTime: 100 }))).toBe(true);
  });

  it('should recognise an unknown producer id, wrapped in an aggregate of per-broker errors', () => {
    expect(isProducerSequenceBroken({ name: 'KafkaJSAggregateError', errors: [new Error('x'), protocolError(59)] })).toBe(true);
  });

  it('should not treat a broker that is down, or a message too large, as a broken producer', () => {
    expect(isProducerSequenceBroken(new Error('Connection error: connect ECONNREFUSED 127.0.0.1:9092'))).toBe(false);
    expect(isProducerSequenceBroken(protocolError(10))).toBe(false); // MESSAGE_TOO_LARGE
    expect(isProducerSequenceBroken(null)).toBe(false);
  });
});
