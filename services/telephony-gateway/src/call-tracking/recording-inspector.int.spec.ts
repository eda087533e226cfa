import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspectRecording, type RecordingsConfig } from './infrastructure/recording-inspector';
import type { StoppedRecording } from './domain/stopped-recording';

const PBX_DIR = '/var/spool/asterisk/monitor';
const wav = (samples: number, final = true) => {
  const b = Buffer.alloc(44 + samples, 0x80);
  b.write('RIFF', 0); b.writeUInt32LE(final ? 36 + samples : 0, 4); b.write('WAVE', 8); b.write('fmt ', 12); b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20); b.writeUInt16LE(1, 22); b.writeUInt32LE(8000, 24); b.writeUInt32LE(8000, 28); b.writeUInt16LE(1, 32); b.writeUInt16LE(8, 34);
  b.write('data', 36); b.writeUInt32LE(final ? samples : 0, 40);
  return b;
};

describe('Reading a stopped recording from the recordings directory', () => {
  let directory: string;
  let config: RecordingsConfig;
  const waits: number[] = [];
  const sleep = async (ms: number) => { waits.push(ms); await new Promise((r) => setTimeout(r, 5)); };
  const stopped = (file: string | null, reportedSeconds: number | null = null): StoppedRecording => ({ callKey: '100.1', channel: '100.1', file, at: 1_000, reportedSeconds });

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'sb-rec-inspect-'));
    config = { directory, pbxDirectory: PBX_DIR, storageBaseUri: 's3://recordings/site-a', attempts: 4, retryInitialMs: 100 };
    waits.length = 0;
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  it('should hash a closed WAV file and take its length from the header', async () => {
    mkdirSync(join(directory, '2025'));
    const bytes = wav(16_000);
    writeFileSync(join(directory, '2025/a.wav'), bytes);
    const r = await inspectRecording(stopped(`${PBX_DIR}/2025/a.wav`), 'pbx1', config, sleep);
    expect(r).toEqual({ ok: true, event: {
      type: 'RecordingStored', at: 1_000, callKey: '100.1', channel: '100.1', recordingId: 'pbx1:2025/a.wav', storageUri: 's3://recordings/site-a/2025/a.wav',
      sha256: createHash('sha256').update(bytes).digest('hex'), mediaType: 'audio/wav', durationSeconds: 2,
    } });
    expect(waits).toEqual([]);
  });

  it('should read a file still being written again after a doubling wait, and hash it once it is closed', async () => {
    const path = join(directory, 'b.wav');
    writeFileSync(path, wav(8_000, false));
    const closing = async (ms: number) => { await sleep(ms); if (waits.length === 2) writeFileSync(path, wav(8_000)); };
    const r = await inspectRecording(stopped(`${PBX_DIR}/b.wav`), 'pbx1', config, closing);
    expect(r.ok && r.event.durationSeconds).toBe(1);
    expect(waits).toEqual([100, 200]);
  });

  it('should give up on a file that never appears after the bounded retries, as missing', async () => {
    const r = await inspectRecording(stopped(`${PBX_DIR}/never.wav`), 'pbx1', config, sleep);
    expect(r).toMatchObject({ ok: false, failure: 'missing', event: { type: 'RecordingUnavailable', reason: 'missing' } });
    expect(waits).toEqual([100, 200, 400]);
  });

  it('should give up on a file never closed, as still-writing', async () => {
    writeFileSync(join(directory, 'c.wav'), wav(800, false));
    expect(await inspectRecording(stopped(`${PBX_DIR}/c.wav`), 'pbx1', config, sleep)).toMatchObject({ ok: false, failure: 'still-writing' });
  });

  it('should refuse a file outside the recordings directory without reading it', async () => {
    expect(await inspectRecording(stopped('/etc/passwd'), 'pbx1', config, sleep)).toMatchObject({ ok: false, failure: 'outside-directory' });
    expect(await inspectRecording(stopped(null), 'pbx1', config, sleep)).toMatchObject({ ok: false, failure: 'no-file-name' });
    expect(waits).toEqual([]);
  });

  it('should report an unreadable path (a directory) as unreadable, not throw', async () => {
    mkdirSync(join(directory, 'd.wav'));
    expect(await inspectRecording(stopped(`${PBX_DIR}/d.wav`), 'pbx1', config, sleep)).toMatchObject({ ok: false, failure: 'unreadable' });
  });

  it('should take the PBX\'s reported length for a format whose header it does not read', async () => {
    writeFileSync(join(directory, 'e.gsm'), Buffer.alloc(330, 7));
    const r = await inspectRecording(stopped(`${PBX_DIR}/e.gsm`, 0.2), 'pbx1', config, sleep);
    expect(r).toMatchObject({ ok: true, event: { mediaType: 'audio/x-gsm', durationSeconds: 0.2 } });
  });
});
