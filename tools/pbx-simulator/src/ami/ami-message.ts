/**
 * AMI framing: `Key: Value\r\n` lines ended by an empty line. Keys can repeat (ChanVariable), so a message is an
 * ordered list of pairs, not a map.
 */
export type AmiHeaders = ReadonlyArray<readonly [string, string]>;

export const CRLF = '\r\n';

export function renderAmiMessage(headers: AmiHeaders): string {
  let out = '';
  for (const [key, value] of headers) out += `${key}: ${value}${CRLF}`;
  return out + CRLF;
}

/** First value of a header, matched case-insensitively as Asterisk does. */
export function headerValue(headers: AmiHeaders, key: string): string | undefined {
  const wanted = key.toLowerCase();
  for (const [k, v] of headers) if (k.toLowerCase() === wanted) return v;
  return undefined;
}

/**
 * Incremental parser for what a client sends. Asterisk reads lines up to LF and strips a trailing CR, so both CRLF
 * and bare LF clients are accepted; an empty line ends the action.
 */
export class AmiActionParser {
  private buffer = '';
  private current: [string, string][] = [];

  push(chunk: string): AmiHeaders[] {
    this.buffer += chunk;
    const actions: AmiHeaders[] = [];
    let newline = this.buffer.indexOf('\n');
    while (newline >= 0) {
      const line = this.buffer.slice(0, newline).replace(/\r$/, '');
      this.buffer = this.buffer.slice(newline + 1);
      if (line === '') {
        if (this.current.length > 0) actions.push(this.current);
        this.current = [];
      } else {
        const colon = line.indexOf(':');
        if (colon > 0) this.current.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
      }
      newline = this.buffer.indexOf('\n');
    }
    return actions;
  }
}
