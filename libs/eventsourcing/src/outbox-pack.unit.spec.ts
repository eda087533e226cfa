import { randomBytes } from 'node:crypto';
import { PACKED_LENGTHS_HEADER, PACKED_TOPIC_PREFIX, packedRecordCount, packOutboxRecords, unpackOutboxRow } from './outbox-pack';

const headers = { 'content-type': 'application/cloudevents+json; charset=UTF-8' };
const unpackAll = (rows: ReturnType<typeof packOutboxRecords>) =>
  rows.flatMap((r) => unpackOutboxRow(r.topic, r.key, r.value as Buffer, r.headers ?? {}));

describe('packed outbox rows', () => {
  it('should give back every record of a run, in order, byte for byte, with its key and headers', () => {
    const values = [randomBytes(700), Buffer.alloc(0), Buffer.from('frame \u00e9'), randomBytes(1)];
    const rows = packOutboxRecords('archive.raw', values.map((value) => ({ key: 'link-1', value, headers })));
    expect(rows).toHaveLength(1);
    expect(rows[0].topic).toBe(`${PACKED_TOPIC_PREFIX}archive.raw`);
    expect(packedRecordCount(rows[0].topic, rows[0].headers!)).toBe(4);
    expect(unpackAll(rows)).toEqual(values.map((value) => ({ topic: 'archive.raw', key: 'link-1', value, headers })));
  });

  it('should cut a long run into packs of at most the byte budget, a larger record alone, order kept across packs', () => {
    const values = [100, 100, 100, 500, 50, 50].map((n) => randomBytes(n));
    const rows = packOutboxRecords('t', values.map((value) => ({ key: 'k', value, headers })), 250);
    expect(rows.map((r) => r.headers![PACKED_LENGTHS_HEADER])).toEqual(['100,100', '100', '500', '50,50']);
    expect(unpackAll(rows).map((r) => r.value)).toEqual(values);
  });

  it('should refuse a run of several keys or header sets, and the reserved header, naming the field', () => {
    expect(() => packOutboxRecords('t', [{ key: 'a', value: Buffer.alloc(1), headers }, { key: 'b', value: Buffer.alloc(1), headers }])).toThrow(/key/);
    expect(() => packOutboxRecords('t', [{ key: 'a', value: Buffer.alloc(1), headers }, { key: 'a', value: Buffer.alloc(1), headers: { x: '1' } }])).toThrow(/headers/);
    expect(() => packOutboxRecords('t', [{ key: 'a', value: Buffer.alloc(1), headers: { [PACKED_LENGTHS_HEADER]: '1' } }])).toThrow(PACKED_LENGTHS_HEADER);
    expect(packOutboxRecords('t', [])).toEqual([]);
  });

  it('should pass an ordinary row through as one record, and refuse a pack whose lengths do not match its value', () => {
    const value = Buffer.from('v');
    expect(unpackOutboxRow('t', 'k', value, headers)).toEqual([{ topic: 't', key: 'k', value, headers }]);
    expect(packedRecordCount('t', headers)).toBe(1);
    expect(() => unpackOutboxRow(`${PACKED_TOPIC_PREFIX}t`, 'k', Buffer.alloc(5), { [PACKED_LENGTHS_HEADER]: '2,2' })).toThrow(`outbox pack for t: ${PACKED_LENGTHS_HEADER}`);
    expect(() => unpackOutboxRow(`${PACKED_TOPIC_PREFIX}t`, 'k', Buffer.alloc(5), {})).toThrow(PACKED_LENGTHS_HEADER);
  });

  it('should keep the packed topic out of Kafka\'s legal topic names, so an older relay fails instead of publishing a pack', () => {
    expect(/^[a-zA-Z0-9._-]+$/.test(`${PACKED_TOPIC_PREFIX}archive.raw`)).toBe(false);
  });
});
