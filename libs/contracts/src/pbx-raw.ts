import { RFC3339_PATTERN, SPEC_VERSION, UUID_V7_PATTERN } from './envelope/envelope.schema';
import { sourceOf } from './envelope/create-envelope';

/**
 * The raw archive (`Topics.telephonyPbxRaw`) keeps every frame the gateway received, byte for byte, as a CloudEvent
 * in Kafka *binary* content mode: the value is the raw frame, the attributes are `ce_*` headers. Canonical events
 * derived from a frame carry the frame's id as `causationid`, so any event can be traced to the bytes behind it.
 */
export const PBX_FRAME_TYPE = 'switchboard.telephony.pbx.frame-received.v1' as const;

export type PbxFrameProtocol = 'asterisk-ami' | 'freeswitch-esl' | 'webhook';
const CONTENT_TYPES: Record<PbxFrameProtocol, string> = {
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

export const PbxRawHeaders = {
  specversion: 'ce_specversion', id: 'ce_id', source: 'ce_source', type: 'ce_type', subject: 'ce_subject',
  time: 'ce_time', tenant: 'ce_tenant', site: 'ce_site', sequence: 'ce_sequence', protocol: 'ce_pbxprotocol',
  contentType: 'content-type',
} as const;

export function encodePbxRawFrame(frame: PbxRawFrame): RawRecord {
  return {
    key: frame.pbxLinkId,
    value: frame.payload,
    headers: {
      [PbxRawHeaders.specversion]: SPEC_VERSION,
      [PbxRawHeaders.id]: frame.id,
      [PbxRawHeaders.source]: sourceOf('telephony-gateway', frame.site),
      [PbxRawHeaders.type]: PBX_FRAME_TYPE,
      [PbxRawHeaders.subject]: frame.pbxLinkId,
      [PbxRawHeaders.time]: frame.receivedAt,
      [PbxRawHeaders.tenant]: frame.tenant,
      [PbxRawHeaders.site]: frame.site,
      [PbxRawHeaders.sequence]: String(frame.sequence),
      [PbxRawHeaders.protocol]: frame.protocol,
      [PbxRawHeaders.contentType]: CONTENT_TYPES[frame.protocol],
    },
  };
}

type HeaderValue = Buffer | string | (Buffer | string)[] | undefined;

/** Raw record (as kafkajs delivers it) → frame, or the list of problems naming the header. */
export function decodePbxRawFrame(
  value: Buffer | null,
  headers: Record<string, HeaderValue>,
): { ok: true; frame: PbxRawFrame } | { ok: false; errors: string[] } {
  const h = (name: string) => {
    const v = headers[name];
    const one = Array.isArray(v) ? v[0] : v;
    return one === undefined ? undefined : one.toString();
  };
  const errors: string[] = [];
  const need = (name: string, test: (v: string) => boolean, what: string) => {
    const v = h(name);
    if (v === undefined || !test(v)) errors.push(`${name}: expected ${what}`);
    return v ?? '';
  };
  need(PbxRawHeaders.type, (v) => v === PBX_FRAME_TYPE, PBX_FRAME_TYPE);
  const id = need(PbxRawHeaders.id, (v) => new RegExp(UUID_V7_PATTERN).test(v), 'UUIDv7');
  const receivedAt = need(PbxRawHeaders.time, (v) => new RegExp(RFC3339_PATTERN).test(v), 'RFC 3339 time');
  const sequence = need(PbxRawHeaders.sequence, (v) => /^[1-9][0-9]*$/.test(v), 'positive integer');
  const protocol = need(PbxRawHeaders.protocol, (v) => v in CONTENT_TYPES, Object.keys(CONTENT_TYPES).join('|'));
  const pbxLinkId = need(PbxRawHeaders.subject, (v) => v.length > 0, 'PBX link id');
  const tenant = need(PbxRawHeaders.tenant, (v) => v.length > 0, 'tenant');
  const site = need(PbxRawHeaders.site, (v) => v.length > 0, 'site');
  if (value === null) errors.push('value: expected raw frame bytes');
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    frame: {
      id, tenant, site, pbxLinkId, receivedAt,
      protocol: protocol as PbxFrameProtocol,
      sequence: Number(sequence),
      payload: value as Buffer,
    },
  };
}
