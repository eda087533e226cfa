import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { eslUrlDecode, headerOf, parseAgentList, parsePlainEvent, type EslParsed } from './domain/esl-frame';
import { EslFrameParser } from './domain/esl-frame-parser';

const CORPUS = join(__dirname, '../../test/corpus/esl');
const corpus = readdirSync(CORPUS).filter((f) => f.endsWith('.esl')).map((f) => ({ name: f, bytes: new Uint8Array(readFileSync(join(CORPUS, f))) }));
const file = (name: string) => corpus.find((c) => c.name === name)!.bytes;
const bytes = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));

function parseAll(input: Uint8Array, cuts: number[] = [], max?: number): EslParsed[] {
  const parser = new EslFrameParser(max);
  const points = [...new Set(cuts.map((c) => c % (input.length + 1)))].sort((a, b) => a - b);
  const out: EslParsed[] = [];
  let from = 0;
  for (const p of [...points, input.length]) {
    out.push(...parser.push(input.subarray(from, p)));
    from = p;
  }
  return out;
}

const comparable = (items: EslParsed[]) => items.map((i) => ({ ...i, raw: 'raw' in i ? Buffer.from(i.raw).toString('hex') : '' }));
const frames = (items: EslParsed[]) => items.flatMap((i) => (i.kind === 'frame' ? [i] : []));

describe('event-socket frame parser', () => {
  it('should read auth/request and command/reply heads without a body', () => {
    const out = frames(parseAll(file('auth-and-subscribe.esl')));
    expect(out.map((f) => [f.contentType, headerOf(f, 'Reply-Text') ?? null])).toEqual([
      ['auth/request', null], ['command/reply', '+OK accepted'], ['command/reply', '+OK event listener enabled plain'],
    ]);
  });

  it('should take exactly Content-Length bytes of text/event-plain and URL-decode the event values', () => {
    const out = frames(parseAll(file('callcenter-call-answered.esl')));
    expect(out).toHaveLength(6);
    const start = parsePlainEvent(out[1].body);
    expect(headerOf(start, 'Event-Subclass')).toBe('callcenter::info');
    expect(headerOf(start, 'CC-Queue')).toBe('sales@default');
    expect(headerOf(start, 'CC-Member-CID-Name')).toBe('Zhang Wei 张伟');
    expect(headerOf(start, 'CC-Member-CID-Number')).toBe('+8613812345678');
    expect(Buffer.concat(out.map((f) => f.raw))).toEqual(Buffer.from(file('callcenter-call-answered.esl')));
  });

  it('should parse api/response agent lists and the disconnect notice body', () => {
    const [api] = frames(parseAll(file('api-agent-list.esl')));
    expect(api.contentType).toBe('api/response');
    expect(parseAgentList(api.body)).toEqual([
      { name: '1001@default', status: 'Available', state: 'Waiting' }, { name: '1002@default', status: 'On Break', state: 'Waiting' },
    ]);
    const [bye] = frames(parseAll(file('disconnect-notice.esl')));
    expect(bye).toMatchObject({ contentType: 'text/disconnect-notice', body: expect.stringContaining('Disconnected, goodbye.') });
  });

  it('should keep the inner body of events that carry one (BACKGROUND_JOB)', () => {
    const [job] = frames(parseAll(file('background-job-inner-body.esl')));
    const event = parsePlainEvent(job.body);
    expect(headerOf(event, 'Job-UUID')).toBe('j-1');
    expect(event.body).toBe('+OK UP 0 years, 1 day\n');
  });

  it('should tolerate CRLF heads and stray blank lines, and read _undef_ as a value', () => {
    const out = frames(parseAll(file('crlf-stray-blank-lines-undef.esl')));
    expect(out.map((f) => f.contentType)).toEqual(['command/reply', 'text/event-plain']);
    expect(headerOf(parsePlainEvent(out[1].body), 'CC-Queue')).toBe('_undef_');
  });

  it('should leave malformed escapes alone and decode bad UTF-8 to U+FFFD', () => {
    expect(eslUrlDecode('100%zz%41%E4%B8')).toBe('100%zzA\uFFFD');
    expect(eslUrlDecode('On%20Break')).toBe('On Break');
  });

  it('should report a frame over the limit once, naming it, skip its bytes with bounded memory and go on', () => {
    const big = `Content-Type: text/event-plain\nContent-Length: ${2 * 1024 * 1024}\n\n`;
    const parser = new EslFrameParser();
    const out: EslParsed[] = parser.push(bytes(big));
    let peak = 0;
    for (let i = 0; i < 32; i++) {
      out.push(...parser.push(new Uint8Array(64 * 1024).fill(65)));
      peak = Math.max(peak, parser.bufferedBytes);
    }
    out.push(...parser.push(file('disconnect-notice.esl')));
    expect(out[0]).toMatchObject({ kind: 'error', reason: 'oversized', frameName: 'text/event-plain (Content-Length: 2097152)', bytesDropped: big.length + 2 * 1024 * 1024 });
    expect(out.slice(1).map((i) => i.kind === 'frame' && i.contentType)).toEqual(['text/disconnect-notice']);
    expect(peak).toBe(0);
  });

  it('should drop a head over the limit up to its blank line and report a malformed Content-Length', () => {
    const out = parseAll(bytes(`Content-Type: text/x\nX: ${'y'.repeat(5000)}\n\nContent-Length: abc\n\n`), [100, 3000], 4096);
    expect(out).toMatchObject([
      { kind: 'error', reason: 'oversized', frameName: 'text/x', bytesDropped: 5026 },
      { kind: 'error', reason: 'malformed', frameName: '(no Content-Type) (Content-Length: abc)' },
    ]);
  });

  it('should give identical frames whatever the chunking (property)', () => {
    const all = Buffer.concat(corpus.map((c) => Buffer.from(c.bytes)));
    const whole = comparable(parseAll(all));
    fc.assert(fc.property(fc.array(fc.nat(all.length), { maxLength: 40 }), (cuts) => {
      expect(comparable(parseAll(all, cuts))).toEqual(whole);
    }), { numRuns: 200 });
  });

  it('should never throw on random bytes and keep memory under the limit (property)', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 4000 }), fc.array(fc.nat(4000), { maxLength: 8 }), (input, cuts) => {
      const parser = new EslFrameParser(512);
      let from = 0;
      for (const p of [...cuts.map((c) => c % (input.length + 1)).sort((a, b) => a - b), input.length]) {
        for (const item of parser.push(input.subarray(from, Math.max(from, p)))) if (item.kind === 'frame') parsePlainEvent(item.body);
        from = Math.max(from, p);
        expect(parser.bufferedBytes).toBeLessThanOrEqual(512);
      }
    }), { numRuns: 300 });
  });

  it('should give the same items for random bytes in any chunking (property)', () => {
    const content = fc.constantFrom('Content-Length: 5\n', 'Content-Type: text/event-plain\n', '\n', 'a: b\n', 'Content-Length: x\n', '%41');
    fc.assert(fc.property(fc.array(fc.oneof(content, fc.string()), { maxLength: 30 }), fc.array(fc.nat(400), { maxLength: 10 }), (parts, cuts) => {
      const input = bytes(parts.join(''));
      expect(comparable(parseAll(input, cuts, 64))).toEqual(comparable(parseAll(input, [], 64)));
    }), { numRuns: 300 });
  });
});
