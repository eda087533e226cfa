// The Connect protocol's wire format (https://connectrpc.com/docs/protocol), JSON codec only, written by hand
// because @connectrpc/* is not a dependency. Unary: `POST /<service>/<method>`, `application/json` both ways,
// errors as an HTTP status plus `{code, message}`. Server streaming: `application/connect+json`, every message in
// a 5-byte envelope (flags, big-endian length), the stream closed by an end-stream envelope (flag 0x02).
import { isDomainError } from '@switchboard/domain-errors';

export type ConnectCode =
  | 'canceled' | 'unknown' | 'invalid_argument' | 'deadline_exceeded' | 'not_found' | 'already_exists' | 'permission_denied'
  | 'resource_exhausted' | 'failed_precondition' | 'aborted' | 'out_of_range' | 'unimplemented' | 'internal' | 'unavailable'
  | 'data_loss' | 'unauthenticated';

/** HTTP status of a unary error, from the protocol's table. */
export const HTTP_STATUS: Record<ConnectCode, number> = {
  canceled: 499, unknown: 500, invalid_argument: 400, deadline_exceeded: 504, not_found: 404, already_exists: 409,
  permission_denied: 403, resource_exhausted: 429, failed_precondition: 400, aborted: 409, out_of_range: 400,
  unimplemented: 501, internal: 500, unavailable: 503, data_loss: 500, unauthenticated: 401,
};

export class ConnectError extends Error {
  constructor(readonly code: ConnectCode, message: string) {
    super(message);
  }
}

const BY_KIND: Record<string, ConnectCode> = {
  invalid_argument: 'invalid_argument', not_found: 'not_found', already_exists: 'already_exists', conflict: 'aborted',
  precondition_failed: 'failed_precondition', permission_denied: 'permission_denied', unauthenticated: 'unauthenticated',
};

/** A thrown error as the Connect error body. Domain errors keep their message; anything else is hidden as `internal`. */
export function toConnectError(e: unknown): { code: ConnectCode; message: string } {
  if (e instanceof ConnectError) return { code: e.code, message: e.message };
  if (isDomainError(e)) return { code: BY_KIND[e.kind] ?? 'unknown', message: `${e.code}: ${e.message}` };
  return { code: 'internal', message: 'internal error' };
}

export const FLAG_END_STREAM = 0x02;
const FLAG_COMPRESSED = 0x01;

export function envelope(flags: number, json: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(json), 'utf8');
  const head = Buffer.alloc(5);
  head.writeUInt8(flags, 0);
  head.writeUInt32BE(body.length, 1);
  return Buffer.concat([head, body]);
}

/** The single request message of a server-streaming call: exactly one uncompressed envelope. */
export function parseStreamRequest(body: Buffer): unknown {
  if (body.length < 5) throw new ConnectError('invalid_argument', 'the request must be one enveloped message');
  const flags = body.readUInt8(0);
  const length = body.readUInt32BE(1);
  if (flags & FLAG_COMPRESSED) throw new ConnectError('unimplemented', 'compressed messages are not supported');
  if (body.length !== 5 + length) throw new ConnectError('invalid_argument', 'the request must be exactly one enveloped message');
  return parseJson(body.subarray(5));
}

export function parseJson(bytes: Buffer): unknown {
  if (bytes.length === 0) return {};
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new ConnectError('invalid_argument', 'the request body is not valid JSON');
  }
}

/** Proto3 JSON for google.protobuf.Timestamp (RFC 3339, UTC) from the generated `{seconds, nanos}` shape. */
export function timestampToJson(t: { seconds: string; nanos: number } | undefined): string | undefined {
  return t === undefined ? undefined : new Date(Number(t.seconds) * 1000 + Math.floor(t.nanos / 1_000_000)).toISOString();
}

export function timestampFromJson(v: unknown, field: string): { seconds: string; nanos: number } | undefined {
  if (v === undefined || v === null) return undefined;
  const ms = typeof v === 'string' ? Date.parse(v) : NaN;
  if (Number.isNaN(ms)) throw new ConnectError('invalid_argument', `${field} must be an RFC 3339 timestamp`);
  return { seconds: String(Math.floor(ms / 1000)), nanos: (((ms % 1000) + 1000) % 1000) * 1_000_000 };
}
