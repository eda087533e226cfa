/** One AMI packet as received: ordered header pairs (keys may repeat), free-text lines, and the exact bytes. */
export interface AmiFrame {
  readonly kind: 'frame';
  readonly headers: readonly (readonly [string, string])[];
  /** Lines without a colon (`Response: Follows` command output, garbage). */
  readonly text: readonly string[];
  readonly raw: Uint8Array;
}

/** The one-line greeting `Asterisk Call Manager/<version>` sent before any packet. */
export interface AmiBanner {
  readonly kind: 'banner';
  readonly text: string;
  readonly version: string;
  readonly raw: Uint8Array;
}

/** A frame that could not be kept, e.g. larger than the limit; the parser resynchronised at the next blank line. */
export interface AmiParseError {
  readonly kind: 'error';
  readonly reason: 'oversized';
  /** `Event: X` / `Response: Y` when the head of the frame was readable, else `(unnamed frame)`. */
  readonly frameName: string;
  readonly bytesDropped: number;
  /** First bytes of the frame, for one log line. */
  readonly sample: string;
}

export type AmiParsed = AmiFrame | AmiBanner | AmiParseError;

export const UNKNOWN_VALUE = '<unknown>';

/** First value of a header, keys compared case-insensitively (AMI practice). */
export function headerOf(frame: Pick<AmiFrame, 'headers'>, key: string): string | undefined {
  let wanted: string | undefined;
  for (const [k, v] of frame.headers) {
    // Most keys differ in length or match exactly (Asterisk's own casing): lower-case only the rest (hot path).
    if (k.length !== key.length) continue;
    if (k === key || k.toLowerCase() === (wanted ??= key.toLowerCase())) return v;
  }
  return undefined;
}

/** Every value of a repeated header, in order. */
export function headersOf(frame: Pick<AmiFrame, 'headers'>, key: string): string[] {
  const wanted = key.toLowerCase();
  return frame.headers.filter(([k]) => k.toLowerCase() === wanted).map(([, v]) => v);
}

/** A header value with `<unknown>` and empty read as absent. */
export function knownHeaderOf(frame: Pick<AmiFrame, 'headers'>, key: string): string | undefined {
  const v = headerOf(frame, key);
  return v === undefined || v === '' || v === UNKNOWN_VALUE ? undefined : v;
}

export function frameName(frame: Pick<AmiFrame, 'headers'>): string {
  const event = headerOf(frame, 'Event');
  if (event !== undefined) return `Event: ${event}`;
  const response = headerOf(frame, 'Response');
  return response !== undefined ? `Response: ${response}` : '(unnamed frame)';
}

const CHAN_VARIABLE = /^chanvariable(?:\((.*)\))?$/i;

/**
 * A channel variable listed by manager.conf `channelvars=` on the event's own channel (not the `Dest…` leg).
 * Asterisk 12+ writes `ChanVariable: NAME=value`; Asterisk 1.8/11 wrote `ChanVariable(<channel>): NAME=value`; some
 * proxies and older builds write `ChanVariable(NAME): value`. All three are read; names compare case-insensitively.
 */
export function channelVariableOf(frame: Pick<AmiFrame, 'headers'>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [k, v] of frame.headers) {
    const m = CHAN_VARIABLE.exec(k);
    if (m === null) continue;
    if (m[1] !== undefined && m[1].toLowerCase() === wanted) return v;
    const eq = v.indexOf('=');
    if (eq > 0 && v.slice(0, eq).trim().toLowerCase() === wanted) return v.slice(eq + 1);
  }
  return undefined;
}
