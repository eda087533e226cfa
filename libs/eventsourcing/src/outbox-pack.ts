import type { OutboxMessage } from './event-store';

/**
 * Packed outbox rows (ADR 0012): a run of records for ONE topic and ONE key with the same headers is stored as one
 * outbox row (values concatenated, their lengths in a reserved header) and published by the relay as the same
 * records, in order. A high-rate writer (the gateway's raw archive: one record per PBX frame, all keyed by the link)
 * then inserts, reads back and deletes one row per batch instead of one per record. Per-key order holds because the
 * records of a pack are consecutive records of one key and rows are published in position order.
 *
 * The row's topic carries a prefix that is not a legal Kafka topic name, so a relay that does not know packs (an
 * older replica during a rolling upgrade) fails the batch and retries instead of publishing the pack as one record.
 */
export const PACKED_TOPIC_PREFIX = 'packed:';
/** Reserved header of a packed row: the records' value lengths in bytes, comma separated, in order. */
export const PACKED_LENGTHS_HEADER = 'switchboard-packed-lengths';
/** Default upper bound of a pack's value: far under the broker's 1 MiB `message.max.bytes`, and small against the relay's 768 KiB request budget, which is filled pack by pack. */
export const DEFAULT_MAX_PACK_BYTES = 64 * 1024;

export interface PackableRecord {
  readonly key: string;
  readonly value: Buffer;
  readonly headers: Record<string, string>;
}

/**
 * Packs records of one topic and key into outbox rows of at most `maxBytes` of values each (a record larger than
 * that gets a pack of its own). Throws on records of different keys or headers: a pack has one key and one set of headers.
 */
export function packOutboxRecords(topic: string, records: readonly PackableRecord[], maxBytes = DEFAULT_MAX_PACK_BYTES): OutboxMessage[] {
  if (records.length === 0) return [];
  const { key, headers } = records[0];
  if (PACKED_LENGTHS_HEADER in headers) throw new Error(`packOutboxRecords: header ${PACKED_LENGTHS_HEADER} is reserved`);
  const headersJson = JSON.stringify(headers);
  const packs: OutboxMessage[] = [];
  let values: Buffer[] = [];
  let bytes = 0;
  const close = () => {
    if (values.length === 0) return;
    packs.push({ topic: `${PACKED_TOPIC_PREFIX}${topic}`, key, value: Buffer.concat(values, bytes), headers: { ...headers, [PACKED_LENGTHS_HEADER]: values.map((v) => v.length).join(',') } });
    values = [];
    bytes = 0;
  };
  for (const r of records) {
    if (r.key !== key) throw new Error(`packOutboxRecords: key: every record of a pack has key ${key}, got ${r.key}`);
    if (r.headers !== headers && JSON.stringify(r.headers) !== headersJson) throw new Error('packOutboxRecords: headers: every record of a pack has the same headers');
    if (bytes > 0 && bytes + r.value.length > maxBytes) close();
    values.push(r.value);
    bytes += r.value.length;
  }
  close();
  return packs;
}

export interface UnpackedRecord {
  readonly topic: string;
  readonly key: string;
  readonly value: Buffer;
  readonly headers: Record<string, string>;
}

/**
 * An outbox row as the records to publish: itself, or the records of a pack (their values are views of the row's
 * value, not copies). A pack whose lengths do not add up to its value is refused with an error naming the row's topic.
 */
export function unpackOutboxRow(topic: string, key: string, value: Buffer, headers: Record<string, string>): UnpackedRecord[] {
  if (!topic.startsWith(PACKED_TOPIC_PREFIX)) return [{ topic, key, value, headers }];
  const realTopic = topic.slice(PACKED_TOPIC_PREFIX.length);
  const { [PACKED_LENGTHS_HEADER]: lengthsText, ...recordHeaders } = headers;
  const lengths = typeof lengthsText === 'string' && /^[0-9]+(,[0-9]+)*$/.test(lengthsText) ? lengthsText.split(',').map(Number) : null;
  if (lengths === null || lengths.reduce((a, b) => a + b, 0) !== value.length) {
    throw new Error(`outbox pack for ${realTopic}: ${PACKED_LENGTHS_HEADER}: expected comma-separated lengths adding up to the value's ${value.length} bytes`);
  }
  let at = 0;
  return lengths.map((length) => {
    const record = { topic: realTopic, key, value: value.subarray(at, at + length), headers: recordHeaders };
    at += length;
    return record;
  });
}

/** How many records an outbox row holds: 1, or a pack's count (read from its lengths header). */
export function packedRecordCount(topic: string, headers: Record<string, string>): number {
  if (!topic.startsWith(PACKED_TOPIC_PREFIX)) return 1;
  const lengths = headers[PACKED_LENGTHS_HEADER];
  let n = 1;
  for (let i = lengths.indexOf(','); i >= 0; i = lengths.indexOf(',', i + 1)) n++;
  return n;
}
