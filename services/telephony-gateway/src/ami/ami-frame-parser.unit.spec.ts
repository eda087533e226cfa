import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { headerOf, headersOf, type AmiParsed } from './domain/ami-frame';
import { AmiFrameParser } from './domain/ami-frame-parser';

const CORPUS = join(__dirname, '../../test/corpus');
const corpus = readdirSync(CORPUS).filter((f) => f.endsWith('.ami')).map((f) => ({ name: f, bytes: readFileSync(join(CORPUS, f)) }));
const bytes = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));

function parseAll(input: Uint8Array, cuts: number[] = [], max?: number): AmiParsed[] {
  const parser = new AmiFrameParser(max);
  const points = [...new Set(cuts.map((c) => c % (input.length + 1)))].sort((a, b) => a - b);
  const out: AmiParsed[] = [];
  let from = 0;
  for (const p of [...points, input.length]) {
    out.push(...parser.push(input.subarray(from, p)));
    from = p;
  }
  return out;
}

const comparable = (items: AmiParsed[]) => items.map((i) => ({ ...i, raw: 'raw' in i ? Buffer.from(i.raw).toString('hex') : '' }));

describe('AMI frame parser', () => {
  it('should read the banner line (no blank line after it) and then the login response', () => {
    const [banner, login, booted] = parseAll(corpus.find((c) => c.name === 'banner-then-login.ami')!.bytes);
    expect(banner).toMatchObject({ kind: 'banner', text: 'Asterisk Call Manager/11.0.0', version: '11.0.0' });
    expect(login.kind === 'frame' && headerOf(login, 'message')).toBe('Authentication accepted');
    expect(booted.kind === 'frame' && headerOf(booted, 'Event')).toBe('FullyBooted');
  });

  it('should accept LF-only line ends and keep every value of a repeated key, <unknown> included', () => {
    const [frame] = parseAll(corpus.find((c) => c.name === 'lf-only-repeated-keys.ami')!.bytes, [], undefined);
    if (frame.kind !== 'frame') throw new Error('expected a frame');
    expect(headersOf(frame, 'ChanVariable')).toEqual(['SWITCHBOARD_CALL_ID=c1', 'SWITCHBOARD_REPEAT_OF=']);
    expect(headerOf(frame, 'CallerIDNum')).toBe('<unknown>');
  });

  it('should keep Response: Follows command output as text lines', () => {
    const [frame] = parseAll(corpus.find((c) => c.name === 'response-follows.ami')!.bytes);
    expect(frame).toMatchObject({ kind: 'frame', text: ['Name/username   Host', '1000/1000       (Unspecified)', '--END COMMAND--'] });
  });

  it('should skip stray blank lines, split a key at the first colon and survive binary garbage', () => {
    const items = parseAll(corpus.find((c) => c.name === 'stray-blank-lines-and-garbage.ami')!.bytes);
    expect(items).toHaveLength(2);
    const [hangup, garbage] = items;
    if (hangup.kind !== 'frame') throw new Error('expected a frame');
    expect(headerOf(hangup, 'Key')).toBe('with:colons: a:b');
    expect(headerOf(hangup, 'NoSpace')).toBe('x');
    expect(garbage).toMatchObject({ kind: 'frame', headers: [] });
  });

  it('should keep the exact bytes of each frame for the raw archive', () => {
    for (const { bytes: input } of corpus) {
      const joined = Buffer.concat(parseAll(input).flatMap((i) => ('raw' in i ? [i.raw] : [])));
      expect(joined.length).toBeLessThanOrEqual(input.length);
      expect(input.includes(joined.subarray(0, 10))).toBe(true);
    }
  });

  it('should drop an oversized frame with an error naming it, then resync at the next blank line', () => {
    const big = `Event: UserEvent\r\nPrivilege: user,all\r\nData: ${'x'.repeat(5000)}\r\n\r\nEvent: Ping\r\n\r\n`;
    const items = parseAll(bytes(big), [100, 3000], 1024);
    expect(items[0]).toMatchObject({ kind: 'error', reason: 'oversized', frameName: 'Event: UserEvent' });
    expect(items[1].kind === 'frame' && headerOf(items[1], 'Event')).toBe('Ping');
  });

  it('should bound memory on an endless line without a line end', () => {
    const parser = new AmiFrameParser(4096);
    for (let i = 0; i < 200; i++) parser.push(bytes('y'.repeat(1000)));
    expect(parser.bufferedBytes).toBeLessThanOrEqual(4096);
    expect(parser.push(bytes('\r\n\r\nEvent: X\r\n\r\n')).map((i) => i.kind)).toEqual(['error', 'frame']);
  });

  it('property: any chunking of the corpus yields identical frames', () => {
    const input = Buffer.concat(corpus.map((c) => c.bytes));
    const whole = comparable(parseAll(input));
    fc.assert(fc.property(fc.array(fc.nat(), { maxLength: 40 }), (cuts) => {
      expect(comparable(parseAll(input, cuts))).toEqual(whole);
    }), { numRuns: 300 });
  });

  it('property: any chunking of generated packets yields identical frames, oversized ones included', () => {
    const line = fc.tuple(fc.stringMatching(/^[A-Za-z-]{1,12}$/), fc.string({ maxLength: 300 }).map((s) => s.replace(/[\r\n]/g, ' ')));
    const packet = fc.tuple(fc.array(line, { minLength: 1, maxLength: 8 }), fc.constantFrom('\r\n', '\n'))
      .map(([lines, eol]) => lines.map(([k, v]) => `${k}: ${v}${eol}`).join('') + eol);
    fc.assert(fc.property(fc.array(packet, { maxLength: 10 }), fc.array(fc.nat(), { maxLength: 20 }), (packets, cuts) => {
      const input = bytes(packets.join(''));
      expect(comparable(parseAll(input, cuts, 512))).toEqual(comparable(parseAll(input, [], 512)));
    }), { numRuns: 200 });
  });

  it('property: whole packets in one chunk (decoded at once) read exactly as byte-by-byte input (decoded per line)', () => {
    // Lines built from fragments that matter at line level: colons, spaces, CRs, byte-order marks, cut UTF-8.
    const utf8 = (...s: string[]) => s.map((x) => Buffer.from(x, 'utf8'));
    const fragment = fc.constantFrom(...utf8(':', ': ', 'Event', ' x ', '\r', '\u00e9', '\ufeff', '\ufeffText'), Buffer.from([0xe2, 0x82]), Buffer.from([0xff]));
    const eol = fc.constantFrom(...utf8('\r\n', '\n'));
    const line = fc.tuple(fc.array(fragment, { minLength: 1, maxLength: 4 }), eol).map(([f, e]) => Buffer.concat([...f, e]));
    const packet = fc.tuple(fc.constantFrom(...utf8('', '\r\n', '\n')), fc.array(line, { minLength: 1, maxLength: 6 }), eol)
      .map(([stray, ls, e]) => Buffer.concat([stray, ...ls, e]));
    fc.assert(fc.property(fc.array(packet, { maxLength: 8 }), fc.integer({ min: 16, max: 400 }), fc.boolean(), (parts, max, banner) => {
      const input = new Uint8Array(Buffer.concat(parts));
      const oneByOne = new AmiFrameParser(max, banner);
      const byteWise = Array.from(input, (_, i) => oneByOne.push(input.subarray(i, i + 1))).flat();
      expect(comparable(new AmiFrameParser(max, banner).push(input))).toEqual(comparable(byteWise));
    }), { numRuns: 500 });
  });

  it('property: random bytes never throw and never hold more than the frame limit', () => {
    fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 2000 }), { maxLength: 20 }), (chunks) => {
      const parser = new AmiFrameParser(1024);
      for (const c of chunks) {
        parser.push(c);
        expect(parser.bufferedBytes).toBeLessThanOrEqual(1024);
      }
    }), { numRuns: 300 });
  });
});
