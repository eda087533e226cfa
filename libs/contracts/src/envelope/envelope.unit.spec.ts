import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CallAnswered, CallOffered, ContractViolationError, createEnvelope, createKafkaRecord, decode, defineEvent, encode, toKafkaRecord, Topics,
  STRUCTURED_CONTENT_TYPE, type AnyEvent, type EnvelopeInput, type DataOf,
} from '../index';

const answeredData: DataOf<typeof CallAnswered> = {
  callId: 'nc1-1.2', queueId: 'billing', agentId: 'E1', extension: '8012', waitSeconds: 12.5, ringCount: 2, ringDurationMs: 6000,
};
const input: EnvelopeInput<DataOf<typeof CallAnswered>> = {
  service: 'telephony-gateway', site: 'nanchang', tenant: 'acme', subject: 'nc1-1.2', sequence: 4, data: answeredData,
};
const fixedId = '0190f3a2-5b1c-7000-8a4e-000000000042';
const deps = { newId: () => fixedId, now: () => new Date('2025-03-14T01:30:47.500Z') };

describe('createEnvelope', () => {
  it('should build a CloudEvents 1.0 envelope with every required attribute and extension', () => {
    const e = createEnvelope(CallAnswered, input, deps);
    expect(e).toEqual({
      specversion: '1.0', id: fixedId, source: '/switchboard/telephony-gateway/nanchang',
      type: 'switchboard.telephony.call.answered.v1', subject: 'nc1-1.2', time: '2025-03-14T01:30:47.500Z',
      datacontenttype: 'application/json', tenant: 'acme', site: 'nanchang', sequence: 4,
      correlationid: fixedId, causationid: fixedId, data: answeredData,
    });
  });

  it('should be pure when id and time are passed in (no deps needed, same output twice)', () => {
    const given = { ...input, id: fixedId, time: '2025-03-14T09:30:47+08:00', correlationid: 'nc1-1.2', causationid: 'raw-1' };
    const a = createEnvelope(CallAnswered, given);
    expect(a).toEqual(createEnvelope(CallAnswered, given));
    expect(a.time).toBe('2025-03-14T09:30:47+08:00');
    expect([a.correlationid, a.causationid]).toEqual(['nc1-1.2', 'raw-1']);
  });

  it('should refuse to invent an id or a time when no generator is injected', () => {
    expect(() => createEnvelope(CallAnswered, input)).toThrow('pass "id" or inject EnvelopeDeps');
    expect(() => createEnvelope(CallAnswered, { ...input, id: fixedId })).toThrow('pass "time"');
  });

  it('should reject invalid data, naming each field', () => {
    const bad = { ...answeredData, waitSeconds: 'late' as unknown as number, ringCount: -1 };
    let thrown: unknown;
    try {
      createEnvelope(CallAnswered, { ...input, data: bad }, deps);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ContractViolationError);
    const paths = (thrown as ContractViolationError).errors.map((e) => `${e.path}: ${e.message}`);
    expect(paths).toContain('data.waitSeconds: expected number');
    expect(paths.some((p) => p.startsWith('data.ringCount: expected integer to be greater or equal to 0'))).toBe(true);
  });

  it('should reject a non-UUIDv7 id, a non-RFC3339 time and a sequence below 1', () => {
    const run = () => createEnvelope(CallAnswered, { ...input, id: 'not-a-uuid', time: '14/03/2025', sequence: 0 });
    expect(run).toThrow(/id: expected string to match .*; time: expected string to match .*; sequence: expected integer to be greater or equal to 1/);
  });

  it('should never accept a clear caller number on a public event', () => {
    const offered: DataOf<typeof CallOffered> = {
      callId: 'c', pbxLinkId: 'nc1', direction: 'inbound', channel: 'voice',
      callerHash: 'a'.repeat(64), callerMasked: '13812345678', dialedNumber: '95598',
    };
    expect(() => createEnvelope(CallOffered, { ...input, data: offered }, deps)).toThrow('data.callerMasked');
    expect(createEnvelope(CallOffered, { ...input, data: { ...offered, callerMasked: '138****5678' } }, deps).data.callerMasked).toBe('138****5678');
  });
});

describe('encode / decode', () => {
  const event = createEnvelope(CallAnswered, input, deps) as AnyEvent;

  it('should round-trip an event through Kafka record bytes', () => {
    const result = decode(encode(event));
    expect(result).toEqual({ status: 'event', event });
  });

  it('should name the field when data is invalid', () => {
    const tampered = JSON.stringify({ ...event, data: { ...answeredData, waitSeconds: '12' } });
    expect(decode(Buffer.from(tampered))).toEqual({
      status: 'invalid', reason: 'invalid-data', errors: [{ path: 'data.waitSeconds', message: 'expected number' }],
    });
  });

  it('should classify broken JSON and broken envelopes separately', () => {
    expect(decode(Buffer.from('{"specversion":'))).toMatchObject({ status: 'invalid', reason: 'invalid-json' });
    expect(decode(null)).toMatchObject({ status: 'invalid', reason: 'invalid-json' });
    const noSubject = { ...event } as Record<string, unknown>;
    delete noSubject.subject;
    expect(decode(JSON.stringify(noSubject))).toMatchObject({
      status: 'invalid', reason: 'invalid-envelope', errors: [{ path: 'subject', message: 'expected required property' }],
    });
  });

  it('should report an unknown but well-formed event type as ignorable, not invalid', () => {
    const future = { ...event, type: 'switchboard.telephony.call.teleported.v1', data: { anything: 1 } };
    expect(decode(JSON.stringify(future))).toEqual({ status: 'unknown-type', envelope: future });
  });

  it('should tolerate unknown fields (additive changes by newer producers)', () => {
    const newer = { ...event, newattr: 'x', data: { ...answeredData, addedLater: true } };
    expect(decode(JSON.stringify(newer)).status).toBe('event');
  });

  it('should refuse to encode an invalid event', () => {
    const bad = { ...event, sequence: 1.5 } as unknown as AnyEvent;
    expect(() => encode(bad)).toThrow('sequence: expected integer');
  });

  it('should build a Kafka record on the registry topic keyed by subject', () => {
    const record = toKafkaRecord(event);
    expect(record.topic).toBe(Topics.telephonyCall.name);
    expect(record.key).toBe('nc1-1.2');
    expect(record.headers).toEqual({ 'content-type': STRUCTURED_CONTENT_TYPE });
    expect(JSON.parse(record.value.toString('utf8'))).toEqual(event);
  });

  it('should decode a frozen fixture read from disk', () => {
    const bytes = readFileSync(join(__dirname, '../../fixtures/v1/switchboard.telephony.call.answered.v1.json'));
    const result = decode(bytes);
    expect(result.status).toBe('event');
    if (result.status === 'event' && result.event.type === 'switchboard.telephony.call.answered.v1') {
      expect(result.event.data.ringCount).toBe(2);
    }
  });
});

describe('createKafkaRecord', () => {
  it('should give the record toKafkaRecord gives for the envelope createEnvelope builds, byte for byte', () => {
    const given = { ...input, causationid: 'raw-1' };
    expect(createKafkaRecord(CallAnswered, given, deps)).toEqual(toKafkaRecord(createEnvelope(CallAnswered, given, deps) as AnyEvent));
  });

  it('should reject an invalid event with the error createEnvelope throws', () => {
    const bad = { ...input, data: { ...answeredData, waitSeconds: 'late' as unknown as number } };
    expect(() => createKafkaRecord(CallAnswered, bad, deps)).toThrow(ContractViolationError);
    expect(() => createKafkaRecord(CallAnswered, bad, deps)).toThrow('data.waitSeconds: expected number');
  });

  it('should refuse, as toKafkaRecord does, an event whose definition is not in the catalog', () => {
    const unlisted = defineEvent({ ...CallAnswered, type: 'switchboard.telephony.call.unlisted.v1' });
    expect(() => toKafkaRecord(createEnvelope(unlisted, input, deps) as unknown as AnyEvent)).toThrow('No topic carries event type switchboard.telephony.call.unlisted.v1');
    expect(() => createKafkaRecord(unlisted, input, deps)).toThrow('No topic carries event type switchboard.telephony.call.unlisted.v1');
  });
});
