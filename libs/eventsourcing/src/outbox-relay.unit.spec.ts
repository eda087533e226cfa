import { KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError, Partitioners } from 'kafkajs';
import { CachedDefaultPartitioner, portableBatch, portableError, recordsOf, revivedError } from './kafka';
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

describe('the worker producer\'s messages (createWorkerIdempotentProducer)', () => {
  it('should bring an error back from the worker so that it is classified as the original was', () => {
    const wrapped = new KafkaJSNumberOfRetriesExceeded(protocolError(45), { retryCount: 5, retryTime: 100 });
    const revived = revivedError(structuredClone(portableError(wrapped)));
    expect(isProducerSequenceBroken(revived)).toBe(true);
    expect(revived.message).toBe(wrapped.message);
    const tooLarge = revivedError(structuredClone(portableError(protocolError(10)))) as Error & { type?: string; retriable?: boolean };
    expect([tooLarge.type, tooLarge.retriable, isProducerSequenceBroken(tooLarge)]).toEqual(['MESSAGE_TOO_LARGE', false, false]);
    expect(isProducerSequenceBroken(revivedError(portableError({ name: 'KafkaJSAggregateError', errors: [new Error('x'), protocolError(59)] })))).toBe(true);
  });

  it('should rebuild every record of a batch, in order, from one buffer of values', () => {
    const messages = [
      { key: 'k1', value: Buffer.from([0, 255, 7]), headers: { ce_id: 'a', ce_type: 't' } },
      { key: 'k2', value: 'text \u00e9' },
      { key: 'k3', value: Buffer.alloc(0), headers: {} },
      { key: null, value: null, partition: 2 },
    ];
    const [topic] = structuredClone(portableBatch({ acks: -1, topicMessages: [{ topic: 't', messages }] })).topics;
    expect(recordsOf(topic)).toEqual([
      { key: 'k1', value: Buffer.from([0, 255, 7]), headers: { ce_id: 'a', ce_type: 't' }, partition: undefined },
      { key: 'k2', value: Buffer.from('text \u00e9'), headers: undefined, partition: undefined },
      { key: 'k3', value: Buffer.alloc(0), headers: {}, partition: undefined },
      { key: null, value: null, headers: undefined, partition: 2 },
    ]);
  });
});

describe('CachedDefaultPartitioner', () => {
  it('should choose the partition kafkajs\'s default partitioner chooses, for every key, partition count and repeat', () => {
    const cached = CachedDefaultPartitioner();
    const reference = Partitioners.DefaultPartitioner();
    const metadata = (n: number) => Array.from({ length: n }, (_, partitionId) => ({ partitionErrorCode: 0, partitionId, leader: 1, replicas: [1], isr: [1] }));
    const keys = [...Array.from({ length: 500 }, (_, i) => `key-${i}`), 'asterisk-1', 'pbx1:1741000000.12', '\u00e9\u4e2d', ''];
    for (const n of [1, 3, 6, 12]) {
      for (const key of [...keys, ...keys]) {
        const args = { topic: 't', partitionMetadata: metadata(n), message: { key, value: 'v' } };
        expect(cached(args)).toBe(reference(args));
      }
    }
    const explicit = { topic: 't', partitionMetadata: metadata(6), message: { key: 'key-1', value: 'v', partition: 5 } };
    expect(cached(explicit)).toBe(5);
  });
});
