import type { KafkaMessage } from 'kafkajs';
import { answered, queued } from '../test/fixtures/call-events';
import { cloudEventDecoder } from './cloud-event-decoder';
import { PoisonMessage } from './dead-letter';

const record = (value: unknown): KafkaMessage =>
  ({ key: null, value: Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)), offset: '0', timestamp: '0', attributes: 0, headers: {} }) as KafkaMessage;
const poison = (f: () => unknown): PoisonMessage => {
  try {
    f();
  } catch (e) {
    if (e instanceof PoisonMessage) return e;
    throw e;
  }
  throw new Error('expected a PoisonMessage');
};

describe('cloudEventDecoder', () => {
  const decodeAll = cloudEventDecoder();

  it('hands over a valid event keyed by its CloudEvents id', () => {
    const e = answered(1);
    expect(decodeAll(record(e))).toEqual({ eventId: e.id, value: e });
  });

  it('skips an event type this contract version does not know', () => {
    expect(decodeAll(record({ ...queued(1), type: 'switchboard.telephony.call.teleported.v1' }))).toEqual({ ignored: 'unknown-type' });
  });

  it('skips known types the consumer did not ask for', () => {
    const onlyAnswered = cloudEventDecoder({ eventTypes: [answered(0).type] });
    expect(onlyAnswered(record(queued(1)))).toEqual({ ignored: 'not-handled' });
    expect(onlyAnswered(record(answered(1)))).toHaveProperty('eventId', answered(1).id);
  });

  it('makes schema-invalid data a poison message naming the field', () => {
    const bad = { ...answered(1), data: { ...answered(1).data, waitSeconds: 'long' } };
    const e = poison(() => decodeAll(record(bad)));
    expect(e.reason).toBe('invalid-data');
    expect(e.message).toMatch(/^data\.waitSeconds: /);
  });

  it('makes non-JSON and non-CloudEvents values poison messages with their reasons', () => {
    expect(poison(() => decodeAll(record('{oops'))).reason).toBe('invalid-json');
    expect(poison(() => decodeAll(record({ hello: 'world' }))).reason).toBe('invalid-envelope');
  });
});
