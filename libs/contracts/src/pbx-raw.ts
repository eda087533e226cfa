import { RFC3339_PATTERN, SPEC_VERSION, UUID_V7_PATTERN } from './envelope/envelope.schema';
import { sourceOf } from './envelope/create-envelope';

/**
 * The raw archive (`Topics.telephonyPbxRaw`, version 2) keeps every frame the gateway received, byte
 * for byte, as a CloudEvent in Kafka *structured* content mode: the value is a JSON CloudEvent whose `data_base64`
 * holds the frame's bytes and whose `datacontenttype` names the PBX protocol. Canonical events derived from a frame
 * carry the frame's id as `causationid`, so any event can be traced to the bytes behind it.
 *
 * v1 used *binary* mode (raw bytes as the value, eleven `ce_*` headers). kafkajs encodes headers one by one, and the
 * headers cost four times the rest of the record (34 vs 9 µs per record, ADR 0011), so v2 carries the attributes in
 * the value. `decodePbxRawFrame` still reads v1 records, so a replay across the upgrade reads both topics.
 */
export const PBX_FRAME_TYPE = 'switchboard.telephony.pbx.frame-received.v1' as const;
export const PBX_RAW_STRUCTURED_CONTENT_TYPE = 'application/cloudevents+json; charset=UTF-8' as const;

export type PbxFrameProtocol = 'asterisk-ami' | 'freeswitch-esl' | 'webhook';
export const PBX_FRAME_CONTENT_TYPES: Readonly<Record<PbxFrameProtocol, string>> = {
  'asterisk-ami': 'text/x-asterisk-ami; charset=UTF-8',
  'freeswitch-esl': 'text/x-freeswitch-esl; charset=UTF-8',
  webhook: 'application/json',
};

export interface PbxRawFrame {
  /** UUIDv7 of this frame (becomes `causationid` of derived events). */
  readonly id: string;
  readonly tenant: string;
  readonly site: string;
  readonly pbxLinkId: string;
  readonly protocol: PbxFrameProtocol;
  /** When the gateway received the frame (RFC 3339). */
  readonly receivedAt: string;
  /** Per-link frame counter, 1-based; gaps reveal lost frames. */
  readonly sequence: number;
  readonly payload: Buffer;
}

export interface RawRecord {
  readonly key: string;
  readonly value: Buffer;
  readonly headers: Record<string, string>;
}

/** The JSON value of a v2 record (CloudEvents 1.0 structured mode). */
export interface PbxRawCloudEvent {
  readonly specversion: string;
  readonly id: string;
  readonly source: string;
  readonly type: typeof PBX_FRAME_TYPE;
  readonly subject: string;
  readonly time: string;
  readonly datacontenttype: string;
  readonly tenant: string;
  readonly site: string;
  readonly sequence: number;
  readonly pbxprotocol: PbxFrameProtocol;
  readonly data_base64: string;
}

/** v1 (binary mode) header names, kept so archived v1 records stay readable. */
export const PbxRawV1Headers = {
  specversion: 'ce_specversion', id: 'ce_id', source: 'ce_source', type: 'ce_type', subject: 'ce_subject',
  time: 'ce_time', tenant: 'ce_tenant', site: 'ce_site', sequence: 'ce_sequence', protocol: 'ce_pbxprotocol',
  contentType: 'content-type',
} as const;

export function encodePbxRawFrame(frame: PbxRawFrame): RawRecord {
  const parts = jsonPartsOf(frame);
  return { key: frame.pbxLinkId, value: parts === null ? encodeAsObject(frame) : encodeWithParts(frame, parts), headers: { 'content-type': PBX_RAW_STRUCTURED_CONTENT_TYPE } };
}

function encodeAsObject(frame: PbxRawFrame): Buffer {
  const event: PbxRawCloudEvent = {
    specversion: SPEC_VERSION,
    id: frame.id,
    source: sourceOf('telephony-gateway', frame.site),
    type: PBX_FRAME_TYPE,
    subject: frame.pbxLinkId,
    time: frame.receivedAt,
    datacontenttype: PBX_FRAME_CONTENT_TYPES[frame.protocol],
    tenant: frame.tenant,
    site: frame.site,
    sequence: frame.sequence,
    pbxprotocol: frame.protocol,
    data_base64: frame.payload.toString('base64'),
  };
  return Buffer.from(JSON.stringify(event));
}

/**
 * The JSON text of `encodeAsObject` between the attributes that change per frame (id, time, sequence, payload): the
 * same for every frame of a link, so it is built once rather than serialised again for each frame (the archive is a
 * record per frame, the gateway's hottest path).
 */
interface RawJsonParts {
  readonly tenant: string;
  readonly site: string;
  readonly pbxLinkId: string;
  readonly protocol: PbxFrameProtocol;
  /** Before the id: `{"specversion":"1.0","id":` */
  readonly beforeId: string;
  /** Between id and time: `,"source":…,"type":…,"subject":…,"time":` */
  readonly beforeTime: string;
  /** Between time and sequence: `,"datacontenttype":…,"tenant":…,"site":…,"sequence":` */
  readonly beforeSequence: string;
  /** Between sequence and the base64 text: `,"pbxprotocol":…,"data_base64":"` */
  readonly beforePayload: string;
}

const PAYLOAD_END = '"}';
/** A gateway process serves one link or a few: the last link's parts are kept. */
let lastParts: RawJsonParts | null = null;

/**
 * Null for a frame whose attributes are not all strings (sequence a number) or whose protocol is unknown: JSON.stringify
 * omits or rewrites such values, so `encodeAsObject` takes it.
 */
function jsonPartsOf(frame: PbxRawFrame): RawJsonParts | null {
  if (typeof frame.id !== 'string' || typeof frame.receivedAt !== 'string' || typeof frame.sequence !== 'number') return null;
  const p = lastParts;
  if (p !== null && p.tenant === frame.tenant && p.site === frame.site && p.pbxLinkId === frame.pbxLinkId && p.protocol === frame.protocol) return p;
  if (![frame.tenant, frame.site, frame.pbxLinkId, frame.protocol].every((v) => typeof v === 'string') || !Object.hasOwn(PBX_FRAME_CONTENT_TYPES, frame.protocol)) return null;
  const contentType = PBX_FRAME_CONTENT_TYPES[frame.protocol];
  const json = JSON.stringify;
  lastParts = {
    tenant: frame.tenant, site: frame.site, pbxLinkId: frame.pbxLinkId, protocol: frame.protocol,
    beforeId: `{"specversion":${json(SPEC_VERSION)},"id":`,
    beforeTime: `,"source":${json(sourceOf('telephony-gateway', frame.site))},"type":${json(PBX_FRAME_TYPE)},"subject":${json(frame.pbxLinkId)},"time":`,
    beforeSequence: `,"datacontenttype":${json(contentType)},"tenant":${json(frame.tenant)},"site":${json(frame.site)},"sequence":`,
    beforePayload: `,"pbxprotocol":${json(frame.protocol)},"data_base64":"`,
  };
  return lastParts;
}

/** Same bytes as `encodeAsObject`; the base64 text (never escaped in JSON, ASCII) is copied in without re-encoding. */
function encodeWithParts(frame: PbxRawFrame, parts: RawJsonParts): Buffer {
  const head = `${parts.beforeId}${JSON.stringify(frame.id)}${parts.beforeTime}${JSON.stringify(frame.receivedAt)}${parts.beforeSequence}${JSON.stringify(frame.sequence)}${parts.beforePayload}`;
  const payload = frame.payload.toString('base64');
  const headBytes = Buffer.byteLength(head);
  const value = Buffer.allocUnsafe(headBytes + payload.length + PAYLOAD_END.length);
  value.write(head, 0, 'utf8');
  value.write(payload, headBytes, 'latin1');
  value.write(PAYLOAD_END, headBytes + payload.length, 'latin1');
  return value;
}

type HeaderValue = Buffer | string | (Buffer | string)[] | undefined;
type Decoded = { ok: true; frame: PbxRawFrame } | { ok: false; errors: string[] };
type Attribute = keyof typeof PbxRawV1Headers;

/**
 * Raw record (as kafkajs delivers it) → frame, or the list of problems naming the attribute. Reads v2 (structured:
 * `content-type: application/cloudevents+json`) and v1 (binary: `ce_*` headers) records.
 */
export function decodePbxRawFrame(value: Buffer | null, headers: Record<string, HeaderValue>): Decoded {
  const header = (name: string) => {
    const v = headers[name];
    const one = Array.isArray(v) ? v[0] : v;
    return one === undefined ? undefined : one.toString();
  };
  if (header('content-type')?.startsWith('application/cloudevents+json')) return decodeStructured(value);
  return validate(
    (attribute) => header(PbxRawV1Headers[attribute]),
    (attribute) => PbxRawV1Headers[attribute],
    value,
    'value: expected raw frame bytes',
  );
}

function decodeStructured(value: Buffer | null): Decoded {
  let event: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse((value ?? Buffer.alloc(0)).toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    event = parsed as Record<string, unknown>;
  } catch {
    return { ok: false, errors: ['value: expected a JSON CloudEvent (structured mode)'] };
  }
  const names: Record<Attribute, string> = { ...PbxRawV1Headers, ...STRUCTURED_NAMES };
  const attribute = (a: Attribute) => {
    const v = event[names[a]];
    return typeof v === 'string' || typeof v === 'number' ? String(v) : undefined;
  };
  const data = event.data_base64;
  const payload = typeof data === 'string' && BASE64.test(data) ? Buffer.from(data, 'base64') : null;
  return validate(attribute, (a) => names[a], payload, 'data_base64: expected the frame bytes in base64');
}

const STRUCTURED_NAMES = {
  specversion: 'specversion', id: 'id', source: 'source', type: 'type', subject: 'subject', time: 'time',
  tenant: 'tenant', site: 'site', sequence: 'sequence', protocol: 'pbxprotocol', contentType: 'datacontenttype',
} as const satisfies Record<Attribute, string>;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function validate(
  read: (attribute: Attribute) => string | undefined,
  nameOf: (attribute: Attribute) => string,
  payload: Buffer | null,
  payloadError: string,
): Decoded {
  const errors: string[] = [];
  const need = (attribute: Attribute, test: (v: string) => boolean, what: string) => {
    const v = read(attribute);
    if (v === undefined || !test(v)) errors.push(`${nameOf(attribute)}: expected ${what}`);
    return v ?? '';
  };
  need('type', (v) => v === PBX_FRAME_TYPE, PBX_FRAME_TYPE);
  const id = need('id', (v) => new RegExp(UUID_V7_PATTERN).test(v), 'UUIDv7');
  const receivedAt = need('time', (v) => new RegExp(RFC3339_PATTERN).test(v), 'RFC 3339 time');
  const sequence = need('sequence', (v) => /^[1-9][0-9]*$/.test(v), 'positive integer');
  const protocol = need('protocol', (v) => v in PBX_FRAME_CONTENT_TYPES, Object.keys(PBX_FRAME_CONTENT_TYPES).join('|'));
  const pbxLinkId = need('subject', (v) => v.length > 0, 'PBX link id');
  const tenant = need('tenant', (v) => v.length > 0, 'tenant');
  const site = need('site', (v) => v.length > 0, 'site');
  if (payload === null) errors.push(payloadError);
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    frame: { id, tenant, site, pbxLinkId, receivedAt, protocol: protocol as PbxFrameProtocol, sequence: Number(sequence), payload: payload as Buffer },
  };
}
