/** FreeSWITCH event-socket framing: LF-only header blocks ended by an empty line, optional Content-Length body. */

/** Characters switch_url_encode escapes besides control and non-ASCII bytes. */
const URL_UNSAFE = '\r\n "#%&+:;<=>?@[\\]^`{|}';

export function eslUrlEncode(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += byte < 0x20 || byte > 0x7e || URL_UNSAFE.includes(ch) ? `%${byte.toString(16).toUpperCase().padStart(2, '0')}` : ch;
  }
  return out;
}

/** A `text/event-plain` frame: outer headers, then a body of `Name: url-encoded value` lines and a blank line. */
export function renderPlainEvent(headers: ReadonlyArray<readonly [string, string]>): string {
  let body = '';
  for (const [name, value] of headers) body += `${name}: ${eslUrlEncode(value)}\n`;
  body += '\n';
  return `Content-Length: ${Buffer.byteLength(body)}\nContent-Type: text/event-plain\n\n${body}`;
}

export function commandReply(replyText: string): string {
  return `Content-Type: command/reply\nReply-Text: ${replyText}\n\n`;
}

export function apiResponse(body: string): string {
  return `Content-Type: api/response\nContent-Length: ${Buffer.byteLength(body)}\n\n${body}`;
}

export const DISCONNECT_NOTICE_BODY = 'Disconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n';

export function disconnectNotice(): string {
  return `Content-Type: text/disconnect-notice\nContent-Length: ${Buffer.byteLength(DISCONNECT_NOTICE_BODY)}\n\n${DISCONNECT_NOTICE_BODY}`;
}

/** Splits what a client sends into commands: each ends with an empty line; the first line is the command. */
export class EslCommandParser {
  private buffer = '';

  push(chunk: string): string[] {
    this.buffer += chunk.replace(/\r/g, '');
    const commands: string[] = [];
    let end = this.buffer.indexOf('\n\n');
    while (end >= 0) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      const firstLine = block.split('\n')[0].trim();
      if (firstLine !== '') commands.push(firstLine);
      end = this.buffer.indexOf('\n\n');
    }
    return commands;
  }
}
