import { createHash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { StoppedRecording } from '../domain/stopped-recording';
import type { RecordingStored, RecordingUnavailable } from '../domain/vendor-events';
import { mediaTypeOf, readWav, recordingIdOf, relativeRecordingPath, storageUriOf } from '../domain/recording-media';

/** Where recordings are read and how they are named on the public topic (RECORDINGS_*; docs/adr/0009). */
export interface RecordingsConfig {
  /** The directory the PBX writes recordings to, as mounted (read-only) in the gateway. */
  readonly directory: string;
  /** The same directory as the PBX names it in its events (Asterisk `/var/spool/asterisk/monitor`). */
  readonly pbxDirectory: string;
  /** Base of `storageUri` (e.g. `s3://recordings/site-a`); the file's path under the directory is appended. */
  readonly storageBaseUri: string;
  /** Reads of a file not yet complete before giving up (the PBX closes it shortly after the stop event). */
  readonly attempts: number;
  /** First wait between reads; doubled each time. */
  readonly retryInitialMs: number;
}

/** Why a stopped recording published nothing: each is counted (gateway_recordings_total) and logged. */
export type RecordingFailure = 'no-file-name' | 'outside-directory' | 'missing' | 'unreadable' | 'still-writing';

export type Inspection = { readonly ok: true; readonly event: RecordingStored } | { readonly ok: false; readonly failure: RecordingFailure; readonly event: RecordingUnavailable; readonly detail: string };

type Attempt = { kind: 'done'; sha256: string; durationSeconds: number } | { kind: 'retry'; failure: RecordingFailure; detail: string } | { kind: 'fail'; failure: RecordingFailure; detail: string };

/**
 * Reads a stopped recording's file: its SHA-256 and length. A file missing or still being written (the WAV sizes not
 * yet patched, which Asterisk and FreeSWITCH do on close) is read again after a doubling wait, a bounded number of
 * times; never throws.
 */
export async function inspectRecording(r: StoppedRecording, pbxLinkId: string, c: RecordingsConfig, sleep = defaultSleep): Promise<Inspection> {
  const base = { at: r.at, callKey: r.callKey, channel: r.channel };
  const fail = (failure: RecordingFailure, detail: string): Inspection => ({ ok: false, failure, detail, event: { type: 'RecordingUnavailable', ...base, reason: failure } });
  if (r.file === null) return fail('no-file-name', 'the PBX named no file (MIXMONITOR_FILENAME / Record-File-Path)');
  const relative = relativeRecordingPath(c.pbxDirectory, r.file);
  if (relative === null) return fail('outside-directory', `${r.file} is not under ${c.pbxDirectory}`);
  let last: Attempt = { kind: 'retry', failure: 'missing', detail: '' };
  for (let attempt = 0; attempt < Math.max(1, c.attempts); attempt++) {
    if (attempt > 0) await sleep(c.retryInitialMs * 2 ** (attempt - 1));
    last = await readOnce(join(c.directory, relative), r.reportedSeconds);
    if (last.kind !== 'retry') break;
  }
  if (last.kind !== 'done') return fail(last.failure, last.detail);
  return {
    ok: true,
    event: {
      type: 'RecordingStored', ...base, recordingId: recordingIdOf(pbxLinkId, relative), storageUri: storageUriOf(c.storageBaseUri, relative),
      sha256: last.sha256, mediaType: mediaTypeOf(relative), durationSeconds: last.durationSeconds,
    },
  };
}

async function readOnce(path: string, reportedSeconds: number | null): Promise<Attempt> {
  try {
    const before = await fs.stat(path);
    const head = await readHead(path);
    const wav = readWav(head, before.size);
    if (wav.kind === 'still-writing') return { kind: 'retry', failure: 'still-writing', detail: `${path}: WAV sizes not final (${before.size} bytes)` };
    const sha256 = await hashFile(path);
    const after = await fs.stat(path);
    if (after.size !== before.size || after.mtimeMs !== before.mtimeMs) return { kind: 'retry', failure: 'still-writing', detail: `${path}: changed while read` };
    const durationSeconds = wav.kind === 'complete' ? wav.durationSeconds : reportedSeconds;
    if (durationSeconds === null) return { kind: 'fail', failure: 'unreadable', detail: `${path}: not WAV and the PBX reported no length` };
    return { kind: 'done', sha256, durationSeconds };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { kind: 'retry', failure: 'missing', detail: `${path}: no such file` };
    return { kind: 'fail', failure: 'unreadable', detail: `${path}: ${(e as Error).message}` };
  }
}

async function readHead(path: string): Promise<Uint8Array> {
  const handle = await fs.open(path, 'r');
  try {
    const buffer = Buffer.alloc(4096);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

function hashFile(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path).on('data', (chunk) => hash.update(chunk)).on('error', reject).on('end', () => resolve(hash.digest('hex')));
  });
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());
