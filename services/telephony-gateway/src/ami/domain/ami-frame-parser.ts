import { frameName, type AmiParsed } from './ami-frame';

export const DEFAULT_MAX_FRAME_BYTES = 1024 * 1024;
const LF = 10;
const CR = 13;
const SPACE = 32;
const BOM = 0xfeff;
const SAMPLE_BYTES = 160;

interface Discarding {
  readonly frameName: string;
  readonly sample: string;
  dropped: number;
}

/**
 * Streaming AMI parser: bytes in any chunking → banner, frames and parse errors, identical whatever the chunk
 * boundaries. Lines end in CRLF or bare LF; a blank line ends a packet. Memory is bounded by `maxFrameBytes`: a
 * larger packet is dropped (reported once, naming it) and the parser resynchronises at the next blank line.
 */
export class AmiFrameParser {
  private readonly decoder = new TextDecoder('utf-8', { fatal: false });
  private frameParts: Uint8Array[] = [];
  private frameBytes = 0;
  private headers: [string, string][] = [];
  private text: string[] = [];
  private lineParts: Uint8Array[] = [];
  private lineBytes = 0;
  private expectBanner: boolean;
  private discarding: Discarding | null = null;
  private out: AmiParsed[] = [];

  constructor(private readonly maxFrameBytes = DEFAULT_MAX_FRAME_BYTES, expectBanner = true) {
    this.expectBanner = expectBanner;
  }

  /** Bytes held for an incomplete packet; never more than about `maxFrameBytes`. */
  get bufferedBytes(): number {
    return this.frameBytes + (this.discarding === null ? this.lineBytes : Math.min(this.lineBytes, 2));
  }

  push(chunk: Uint8Array): AmiParsed[] {
    this.out = [];
    let pos = 0;
    while (pos < chunk.length) {
      if (this.atPacketBoundary()) {
        const next = this.wholePacket(chunk, pos);
        if (next > pos) { pos = next; continue; }
      }
      const lf = chunk.indexOf(LF, pos);
      if (lf === -1) {
        this.appendPartial(chunk.subarray(pos));
        break;
      }
      this.appendPartial(chunk.subarray(pos, lf + 1));
      this.endLine();
      pos = lf + 1;
    }
    return this.out;
  }

  private atPacketBoundary(): boolean {
    return this.discarding === null && this.lineBytes === 0 && this.frameBytes === 0 && !this.expectBanner;
  }

  /**
   * Fast path, same result as the line-by-line one: a packet that starts at `start` and ends (blank line included)
   * inside this chunk and within the limit is decoded in one go. Returns where it ended, or `start` when the packet
   * is incomplete or too large (the line-by-line path takes it from there).
   */
  private wholePacket(chunk: Uint8Array, start: number): number {
    let lineStart = start;
    for (;;) {
      const lf = chunk.indexOf(LF, lineStart);
      if (lf === -1 || lf + 1 - start > this.maxFrameBytes) return start;
      const blank = lf === lineStart || (lf === lineStart + 1 && chunk[lineStart] === CR);
      if (!blank) { lineStart = lf + 1; continue; }
      if (lineStart > start) this.emitWholePacket(chunk, start, lineStart, lf + 1);
      return lf + 1; // a stray blank line between packets is skipped
    }
  }

  private emitWholePacket(chunk: Uint8Array, start: number, blankStart: number, end: number): void {
    const lines = this.decoder.decode(chunk.subarray(start, blankStart)).split('\n');
    lines.pop(); // after the last line end
    const headers: [string, string][] = [];
    const text: string[] = [];
    for (let i = 0; i < lines.length; i++) {
      // The line is read between `from` and `to` rather than sliced to them first: one string fewer per line.
      const line = lines[i];
      const to = line.charCodeAt(line.length - 1) === CR ? line.length - 1 : line.length;
      // Decoding line by line drops a byte-order mark at the start of every line; one decode drops only the first.
      const from = i > 0 && line.charCodeAt(0) === BOM ? 1 : 0;
      const colon = line.indexOf(':', from);
      if (colon > from) headers.push([line.slice(from, colon).trim(), line.slice(line.charCodeAt(colon + 1) === SPACE ? colon + 2 : colon + 1, to)]);
      else text.push(from === 0 && to === line.length ? line : line.slice(from, to));
    }
    // From Node's buffer pool: a Uint8Array of a frame's size would get a backing store of its own (a malloc each).
    const raw = Buffer.allocUnsafe(end - start);
    raw.set(chunk.subarray(start, end));
    this.out.push({ kind: 'frame', headers, text, raw });
  }

  private appendPartial(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    if (this.discarding === null && this.frameBytes + this.lineBytes + bytes.length > this.maxFrameBytes) this.startDiscarding();
    if (this.discarding !== null) {
      // Only whether the current line is blank matters now: keep at most its first two bytes.
      if (this.lineBytes < 2) this.lineParts.push(bytes.subarray(0, 2 - this.lineBytes));
      this.lineBytes += bytes.length;
      this.discarding.dropped += bytes.length;
      return;
    }
    this.lineParts.push(bytes);
    this.lineBytes += bytes.length;
  }

  private takeLine(): Uint8Array {
    const line = this.lineParts.length === 1 ? this.lineParts[0] : concat(this.lineParts, sumLengths(this.lineParts));
    this.lineParts = [];
    this.lineBytes = 0;
    return line;
  }

  private endLine(): void {
    const discarding = this.discarding !== null;
    const line = this.takeLine();
    const blank = isBlankLine(line);
    if (discarding) {
      if (blank) this.finishDiscarding();
      return;
    }
    if (blank) return this.endFrame(line);
    const content = this.decoder.decode(stripEol(line));
    this.frameParts.push(line);
    this.frameBytes += line.length;
    if (this.expectBanner && this.headers.length === 0 && this.text.length === 0) {
      this.expectBanner = false;
      if (!content.includes(':')) return this.emitBanner(content);
    }
    this.expectBanner = false;
    const colon = content.indexOf(':');
    if (colon > 0) this.headers.push([content.slice(0, colon).trim(), content.slice(colon + 1).replace(/^ /, '')]);
    else this.text.push(content);
  }

  private emitBanner(content: string): void {
    const raw = concat(this.frameParts, this.frameBytes);
    this.resetFrame();
    const version = /\/\s*([0-9][0-9A-Za-z.\-_]*)\s*$/.exec(content)?.[1] ?? '';
    this.out.push({ kind: 'banner', text: content, version, raw });
  }

  private endFrame(blankLine: Uint8Array): void {
    if (this.headers.length === 0 && this.text.length === 0) return; // stray blank line between packets
    this.frameParts.push(blankLine);
    const raw = concat(this.frameParts, this.frameBytes + blankLine.length);
    this.out.push({ kind: 'frame', headers: this.headers, text: this.text, raw });
    this.resetFrame();
  }

  private startDiscarding(): void {
    const head = concat(this.frameParts, this.frameBytes);
    const name = frameName({ headers: this.headers });
    const sample = this.decoder.decode(head.subarray(0, SAMPLE_BYTES));
    const held = this.frameBytes + this.lineBytes;
    // A pending line is replaced by its first two bytes, enough to tell whether it is blank.
    const pending = this.takeLine().subarray(0, 2);
    this.resetFrame();
    this.discarding = { frameName: name, sample, dropped: held };
    if (pending.length > 0) this.lineParts.push(pending);
    this.lineBytes = pending.length;
  }

  private finishDiscarding(): void {
    const d = this.discarding!;
    this.discarding = null;
    this.out.push({ kind: 'error', reason: 'oversized', frameName: d.frameName, bytesDropped: d.dropped, sample: d.sample });
  }

  private resetFrame(): void {
    this.frameParts = [];
    this.frameBytes = 0;
    this.headers = [];
    this.text = [];
  }
}

function isBlankLine(line: Uint8Array): boolean {
  return (line.length === 1 && line[0] === LF) || (line.length === 2 && line[0] === CR && line[1] === LF) || line.length === 0;
}

function stripEol(line: Uint8Array): Uint8Array {
  let end = line.length;
  if (end > 0 && line[end - 1] === LF) end--;
  if (end > 0 && line[end - 1] === CR) end--;
  return line.subarray(0, end);
}

function sumLengths(parts: readonly Uint8Array[]): number {
  return parts.reduce((n, p) => n + p.length, 0);
}

function concat(parts: readonly Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p.subarray(0, length - offset), offset);
    offset += Math.min(p.length, length - offset);
  }
  return out;
}
