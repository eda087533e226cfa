import { frameNameOf, headerOf, parseHeaderLines, type EslParsed } from './esl-frame';

export const DEFAULT_MAX_FRAME_BYTES = 1024 * 1024;
const LF = 10;
const CR = 13;
const SAMPLE_BYTES = 160;

interface PendingBody {
  readonly contentType: string;
  readonly headers: [string, string][];
  readonly head: Uint8Array;
  readonly parts: Uint8Array[];
  readonly need: number;
  got: number;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

function nonCrBytes(bytes: Uint8Array): number {
  let n = 0;
  for (const b of bytes) if (b !== CR) n++;
  return n;
}

/**
 * Streaming event-socket parser: bytes in any chunking → identical frames and errors. A head (header lines, LF or
 * CRLF) ends at a blank line; `Content-Length` bytes of body follow. Memory is bounded by `maxFrameBytes`: a larger
 * message is reported once, naming it, and its bytes are skipped without being held.
 */
export class EslFrameParser {
  private readonly decoder = new TextDecoder('utf-8', { fatal: false });
  private head: Uint8Array[] = [];
  private headBytes = 0;
  private lineBytes = 0;
  private overflow: { sample: Uint8Array; dropped: number } | null = null;
  private pending: PendingBody | null = null;
  private skip = 0;
  private out: EslParsed[] = [];

  constructor(private readonly maxFrameBytes = DEFAULT_MAX_FRAME_BYTES) {}

  /** Bytes held for an incomplete message; never more than `maxFrameBytes`. */
  get bufferedBytes(): number {
    return this.headBytes + (this.pending?.got ?? 0);
  }

  push(chunk: Uint8Array): EslParsed[] {
    this.out = [];
    let pos = 0;
    while (pos < chunk.length) {
      if (this.skip > 0) pos = this.skipBody(chunk, pos);
      else if (this.pending !== null) pos = this.takeBody(chunk, this.pending, pos);
      else pos = this.takeHeadLine(chunk, pos);
    }
    return this.out;
  }

  private takeHeadLine(chunk: Uint8Array, pos: number): number {
    const lf = chunk.indexOf(LF, pos);
    const end = lf === -1 ? chunk.length : lf + 1;
    this.keepHead(chunk.subarray(pos, end));
    if (lf === -1) {
      this.lineBytes += nonCrBytes(chunk.subarray(pos, end));
      return end;
    }
    const lineBytes = this.lineBytes + nonCrBytes(chunk.subarray(pos, lf));
    this.lineBytes = 0;
    if (lineBytes === 0) this.endHead();
    return end;
  }

  private keepHead(part: Uint8Array): void {
    if (this.overflow !== null) {
      const o = this.overflow;
      if (o.sample.length < SAMPLE_BYTES) o.sample = concat([o.sample, part.subarray(0, SAMPLE_BYTES - o.sample.length)]);
      o.dropped += part.length;
      return;
    }
    if (this.headBytes + part.length <= this.maxFrameBytes) {
      this.head.push(part.slice());
      this.headBytes += part.length;
      return;
    }
    const all = concat([...this.head, part]);
    this.overflow = { sample: all.slice(0, SAMPLE_BYTES), dropped: all.length };
    this.head = [];
    this.headBytes = 0;
  }

  private endHead(): void {
    const raw = concat(this.head);
    const overflow = this.overflow;
    this.head = [];
    this.headBytes = 0;
    this.overflow = null;
    if (overflow !== null) return this.oversizedHead(overflow);
    const text = this.decoder.decode(raw);
    if (text.trim() === '') return; // stray blank lines between messages
    const headers = parseHeaderLines(text);
    const contentType = headerOf({ headers }, 'Content-Type') ?? '';
    const lengthText = headerOf({ headers }, 'Content-Length');
    const name = frameNameOf(contentType, lengthText);
    if (lengthText === undefined) return void this.out.push({ kind: 'frame', contentType, headers, body: '', raw });
    if (!/^\s*\d{1,12}\s*$/.test(lengthText)) {
      return void this.out.push({ kind: 'error', reason: 'malformed', frameName: name, bytesDropped: raw.length, sample: text.slice(0, SAMPLE_BYTES) });
    }
    const need = Number(lengthText);
    if (raw.length + need > this.maxFrameBytes) {
      this.skip = need;
      return void this.out.push({ kind: 'error', reason: 'oversized', frameName: name, bytesDropped: raw.length + need, sample: text.slice(0, SAMPLE_BYTES) });
    }
    if (need === 0) return void this.out.push({ kind: 'frame', contentType, headers, body: '', raw });
    this.pending = { contentType, headers, head: raw, parts: [], need, got: 0 };
  }

  private oversizedHead(o: { sample: Uint8Array; dropped: number }): void {
    const sample = this.decoder.decode(o.sample);
    const headers = parseHeaderLines(sample);
    const name = frameNameOf(headerOf({ headers }, 'Content-Type') ?? '', undefined);
    this.out.push({ kind: 'error', reason: 'oversized', frameName: name, bytesDropped: o.dropped, sample });
  }

  private takeBody(chunk: Uint8Array, p: PendingBody, pos: number): number {
    const n = Math.min(p.need - p.got, chunk.length - pos);
    p.parts.push(chunk.slice(pos, pos + n));
    p.got += n;
    if (p.got === p.need) {
      const body = concat(p.parts);
      this.pending = null;
      this.out.push({ kind: 'frame', contentType: p.contentType, headers: p.headers, body: this.decoder.decode(body), raw: concat([p.head, body]) });
    }
    return pos + n;
  }

  private skipBody(chunk: Uint8Array, pos: number): number {
    const n = Math.min(this.skip, chunk.length - pos);
    this.skip -= n;
    return pos + n;
  }
}
