/** One event-socket message: outer headers (LF-separated, ended by a blank line) and the Content-Length body. */
export interface EslFrame {
  readonly kind: 'frame';
  /** `auth/request`, `command/reply`, `api/response`, `text/event-plain`, `text/disconnect-notice`, … ('' if absent). */
  readonly contentType: string;
  readonly headers: readonly (readonly [string, string])[];
  readonly body: string;
  readonly raw: Uint8Array;
}

/** A message that could not be kept; the parser skipped exactly its bytes (or up to the next blank line). */
export interface EslParseError {
  readonly kind: 'error';
  readonly reason: 'oversized' | 'malformed';
  /** `text/event-plain (Content-Length: 2000000)` when the head was readable, else `(unnamed frame)`. */
  readonly frameName: string;
  readonly bytesDropped: number;
  readonly sample: string;
}

export type EslParsed = EslFrame | EslParseError;

/** A decoded `text/event-plain` body: headers with URL-decoded values, and the inner body some events carry. */
export interface EslEvent {
  readonly headers: readonly (readonly [string, string])[];
  readonly body: string;
}

/** FreeSWITCH prints empty values as `_undef_`. */
export const UNDEFINED_VALUE = '_undef_';

export function headerOf(h: { readonly headers: readonly (readonly [string, string])[] }, key: string): string | undefined {
  const wanted = key.toLowerCase();
  for (const [k, v] of h.headers) if (k.toLowerCase() === wanted) return v;
  return undefined;
}

/** A header value with `_undef_` and empty read as absent. */
export function knownHeaderOf(h: { readonly headers: readonly (readonly [string, string])[] }, key: string): string | undefined {
  const v = headerOf(h, key);
  return v === undefined || v === '' || v === UNDEFINED_VALUE ? undefined : v;
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** `switch_url_encode` reversed; malformed escapes stay as they are and bad UTF-8 becomes U+FFFD (never throws). */
export function eslUrlDecode(value: string): string {
  if (!value.includes('%')) return value;
  return value.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    const bytes = new Uint8Array(run.length / 3);
    for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(run.slice(i * 3 + 1, i * 3 + 3), 16);
    return utf8.decode(bytes);
  });
}

/** `Name: value` lines; lines without a colon are ignored. */
export function parseHeaderLines(text: string, decode: (v: string) => string = (v) => v): [string, string][] {
  const out: [string, string][] = [];
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const value = line.slice(colon + 1).replace(/^ /, '').replace(/\r$/, '');
    out.push([line.slice(0, colon).trim(), decode(value)]);
  }
  return out;
}

/** Body of a `text/event-plain` frame → event. */
export function parsePlainEvent(body: string): EslEvent {
  const end = body.indexOf('\n\n');
  const head = end === -1 ? body : body.slice(0, end);
  return { headers: parseHeaderLines(head, eslUrlDecode), body: end === -1 ? '' : body.slice(end + 2) };
}

export interface AgentListRow {
  readonly name: string;
  readonly status: string;
  readonly state: string;
}

/** `api callcenter_config agent list` → rows (pipe-separated with a header line, ended by `+OK`). */
export function parseAgentList(body: string): AgentListRow[] {
  const lines = body.split('\n').map((l) => l.replace(/\r$/, '')).filter((l) => l !== '' && l !== '+OK');
  const columns = (lines[0] ?? '').split('|');
  const [name, status, state] = ['name', 'status', 'state'].map((c) => columns.indexOf(c));
  if (name < 0 || status < 0 || state < 0) return [];
  return lines.slice(1).map((l) => l.split('|')).filter((cells) => cells.length === columns.length)
    .map((cells) => ({ name: cells[name], status: cells[status], state: cells[state] }));
}

/** One row of `callcenter_config tier list`: the agent is a member of the queue (at a tier level). */
export interface TierListRow { readonly queue: string; readonly agent: string; readonly state: string }

/** `queue|agent|state|level|position` rows, then `+OK`; an `-ERR …` answer (an older mod_callcenter) has no rows. */
export function parseTierList(body: string): TierListRow[] {
  const lines = body.split('\n').map((l) => l.replace(/\r$/, '')).filter((l) => l !== '' && l !== '+OK');
  const columns = (lines[0] ?? '').split('|');
  const [queue, agent, state] = ['queue', 'agent', 'state'].map((c) => columns.indexOf(c));
  if (queue < 0 || agent < 0) return [];
  return lines.slice(1).map((l) => l.split('|')).filter((cells) => cells.length === columns.length)
    .map((cells) => ({ queue: cells[queue], agent: cells[agent], state: state < 0 ? '' : cells[state] }));
}

export function frameNameOf(contentType: string, contentLength: string | undefined): string {
  if (contentType === '' && contentLength === undefined) return '(unnamed frame)';
  return `${contentType || '(no Content-Type)'}${contentLength === undefined ? '' : ` (Content-Length: ${contentLength})`}`;
}
