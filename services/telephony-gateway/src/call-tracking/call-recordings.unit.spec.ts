import { CallRecordingAvailable } from '@switchboard/contracts';
import { AmiFrameParser } from '../ami/domain/ami-frame-parser';
import { translateAmiEvent } from '../ami/domain/ami-vendor-events';
import { MixMonitorFiles } from '../ami/domain/mixmonitor-files';
import { EslCallCenterTranslator } from '../esl/domain/esl-callcenter-translator';
import { CallCenterTracker, ENDED_RETENTION_MS } from './domain/call-center.tracker';
import type { Decided } from './domain/canonical';
import { mediaTypeOf, readWav, relativeRecordingPath, storageUriOf } from './domain/recording-media';
import type { RecordingStored, VendorEvent } from './domain/vendor-events';
import { T0, ctx, caller, agentLeg, member, ev, FILE, answered, stopAndRelease } from '../test-support/recorded-call.fixture';

const stored = (sec: number, extra: Partial<RecordingStored> = {}): RecordingStored => ({
  type: 'RecordingStored', at: T0 + sec * 1000, callKey: '100.1', channel: '100.1', recordingId: 'pbx1:q-support-100.1.wav',
  storageUri: 's3://r/q-support-100.1.wav', sha256: 'ab'.repeat(32), mediaType: 'audio/wav', durationSeconds: 60, ...extra,
});

function amiEvents(ami: string): VendorEvent[] {
  return new AmiFrameParser(1024 * 1024, false).push(Buffer.from(ami)).flatMap((f) => (f.kind === 'frame' ? translateAmiEvent(f, T0) : []));
}
const names = (out: Decided[]) => out.map((e) => e.definition.name);

describe('When a recorded call is released and its file is read', () => {
  const tracker = new CallCenterTracker(ctx);
  const live = amiEvents(answered + stopAndRelease).flatMap((e) => tracker.apply(e));
  const later = tracker.apply(stored(67));

  it('should publish CallRecordingAvailable after the release, in the call\'s sequence, credited to the agent who answered', () => {
    expect(names(live)).not.toContain('CallRecordingAvailable');
    expect(names(later)).toEqual(['CallRecordingAvailable']);
    const released = live.find((e) => e.definition.name === 'CallReleased')!;
    expect(later[0]).toMatchObject({ definition: CallRecordingAvailable, subject: 'pbx1:100.1', sequence: released.sequence + 1, data: { agentId: '1002', durationSeconds: 60, sha256: 'ab'.repeat(32) } });
  });

  it('should publish a recording once even if its outcome is reported twice', () => {
    expect(names(tracker.apply(stored(68)))).not.toContain('CallRecordingAvailable');
  });
});

describe('When MixMonitorStop comes after the caller hung up (the recording thread finishes late)', () => {
  it('should still publish the recording, credited to the agent, after the release', () => {
    const tracker = new CallCenterTracker(ctx);
    const releasedFirst = ev('AgentComplete', 66, `${caller + agentLeg + member}HoldTime: 5\r\nTalkTime: 60\r\nReason: caller\r\n`)
      + ev('Hangup', 66, `${caller}Cause: 16\r\n`) + ev('MixMonitorStop', 66.2, caller);
    amiEvents(answered + releasedFirst).forEach((e) => tracker.apply(e));
    expect(tracker.apply(stored(67))).toEqual([expect.objectContaining({ definition: CallRecordingAvailable, data: expect.objectContaining({ agentId: '1002' }) })]);
  });
});

describe('When a recorded call ends long before its file can be read', () => {
  it('should remember the call until the recording settles, then publish it with the next sequence', () => {
    const tracker = new CallCenterTracker(ctx);
    const live = amiEvents(answered + stopAndRelease).flatMap((e) => tracker.apply(e));
    const last = Math.max(...live.map((e) => e.sequence));
    // Much later PBX time: a finished call would have been forgotten by now.
    tracker.apply({ type: 'MemberPauseChanged', at: T0 + 66_000 + 10 * ENDED_RETENTION_MS, agentId: '1002', extension: 'PJSIP/1002', queue: 'support', paused: false, reason: '' });
    const out = tracker.apply(stored(67));
    expect(out.map((e) => [e.definition.name, e.sequence])).toEqual([['CallRecordingAvailable', last + 1]]);
  });

  it('should publish nothing for a recording found unavailable, not even if its file turns up later', () => {
    const tracker = new CallCenterTracker(ctx);
    amiEvents(answered + stopAndRelease).forEach((e) => tracker.apply(e));
    expect(names(tracker.apply({ type: 'RecordingUnavailable', at: T0 + 70_000, callKey: '100.1', channel: '100.1', reason: 'missing' }))).not.toContain('CallRecordingAvailable');
    expect(names(tracker.apply(stored(71)))).not.toContain('CallRecordingAvailable');
  });
});

describe('When the link does not read recordings', () => {
  it('should ignore recording stops, so calls do not wait for files no one reads', () => {
    const tracker = new CallCenterTracker({ ...ctx, recordings: false });
    amiEvents(answered + stopAndRelease).forEach((e) => tracker.apply(e));
    expect(names(tracker.apply(stored(67)))).not.toContain('CallRecordingAvailable');
  });
});

describe('When a call no agent answered is recorded', () => {
  it('should publish nothing (no agent to credit)', () => {
    const tracker = new CallCenterTracker(ctx);
    amiEvents(ev('QueueCallerJoin', 1, `${caller}Queue: support\r\nPosition: 1\r\nCount: 1\r\n`) + ev('MixMonitorStop', 20, caller)).forEach((e) => tracker.apply(e));
    expect(names(tracker.apply(stored(21)))).not.toContain('CallRecordingAvailable');
  });
});

describe('MixMonitor files on AMI', () => {
  const frames = (ami: string) => new AmiFrameParser(1024 * 1024, false).push(Buffer.from(ami)).flatMap((f) => (f.kind === 'frame' ? [f] : []));

  it('should name the file from VarSet MIXMONITOR_FILENAME and time it from MixMonitorStart', () => {
    const files = new MixMonitorFiles();
    const stops = frames(answered + stopAndRelease).map((f) => files.observe(f, T0)).filter((s) => s !== undefined);
    expect(stops).toEqual([{ callKey: '100.1', channel: '100.1', file: FILE, at: T0 + 66_000, reportedSeconds: 60 }]);
    expect(files.size).toBe(0);
  });

  it('should prefer ChanVariable MIXMONITOR_FILENAME on the stop event (channelvars=)', () => {
    const files = new MixMonitorFiles();
    const [stop] = frames(ev('MixMonitorStop', 9, `${caller}ChanVariable: MIXMONITOR_FILENAME=/var/spool/asterisk/monitor/x.WAV\r\n`)).map((f) => files.observe(f, T0));
    expect(stop).toMatchObject({ file: '/var/spool/asterisk/monitor/x.WAV', reportedSeconds: null });
  });

  it('should still name the file when MixMonitorStop comes after the channel\'s Hangup', () => {
    const files = new MixMonitorFiles();
    const late = answered + ev('Hangup', 66, `${caller}Cause: 16\r\n`) + ev('MixMonitorStop', 66, caller);
    expect(frames(late).map((f) => files.observe(f, T0)).filter((s) => s !== undefined)).toEqual([expect.objectContaining({ file: FILE })]);
  });

  it('should report a stop whose file was never named with file null', () => {
    const [stop] = frames(ev('MixMonitorStop', 9, caller)).map((f) => new MixMonitorFiles().observe(f, T0));
    expect(stop).toMatchObject({ file: null, callKey: '100.1' });
  });
});

describe('FreeSWITCH RECORD_STOP', () => {
  const plain = (headers: [string, string][]) => ({ headers, body: '' });
  const queueStart = plain([['Event-Subclass', 'callcenter::info'], ['CC-Action', 'member-queue-start'], ['CC-Queue', 'sales@default'], ['CC-Member-UUID', 'm-1'], ['CC-Member-Session-UUID', 's-1']]);
  const stop = (extra: [string, string][]) => plain([['Event-Name', 'RECORD_STOP'], ['Event-Date-Timestamp', `${T0}000`], ['Unique-ID', 's-1'], ['Record-File-Path', '/rec/a.wav'], ...extra]);

  it('should put the recording on the queue visit the session joined, with variable_record_ms as its reported length', () => {
    const t = new EslCallCenterTranslator();
    t.translate(queueStart, T0);
    expect(t.stoppedRecording(stop([['variable_record_ms', '61500']]), T0)).toEqual({ callKey: 'm-1', channel: 's-1', file: '/rec/a.wav', at: T0, reportedSeconds: 61.5 });
    // The file goes with the stop into the call's state, so a restart before the read can read it again.
    expect(t.translate(stop([]), T0)).toEqual([{ type: 'RecordingStopped', at: T0, callKey: 'm-1', channel: 's-1', file: '/rec/a.wav', reportedSeconds: null }]);
  });

  it('should prefer the leg\'s variable_cc_member_uuid', () => {
    expect(new EslCallCenterTranslator().stoppedRecording(stop([['variable_cc_member_uuid', 'm-9'], ['variable_record_seconds', '7']]), T0)).toMatchObject({ callKey: 'm-9', reportedSeconds: 7 });
  });
});

describe('Recording files', () => {
  const wav = (dataBytes: number, riffSize = 36 + dataBytes, dataSize = dataBytes) => {
    const b = Buffer.alloc(44 + dataBytes);
    b.write('RIFF', 0); b.writeUInt32LE(riffSize, 4); b.write('WAVE', 8); b.write('fmt ', 12); b.writeUInt32LE(16, 16);
    b.writeUInt16LE(1, 20); b.writeUInt16LE(1, 22); b.writeUInt32LE(8000, 24); b.writeUInt32LE(16000, 28); b.writeUInt16LE(2, 32); b.writeUInt16LE(16, 34);
    b.write('data', 36); b.writeUInt32LE(dataSize, 40);
    return b;
  };

  it('should read a closed WAV file\'s length from its data size and byte rate', () => {
    expect(readWav(wav(32_000), 44 + 32_000)).toEqual({ kind: 'complete', durationSeconds: 2 });
  });

  it('should see a file still being written (sizes not patched yet, or the file grew since)', () => {
    expect(readWav(wav(32_000, 0, 0), 44 + 32_000)).toEqual({ kind: 'still-writing' });
    expect(readWav(wav(32_000), 44 + 40_000)).toEqual({ kind: 'still-writing' });
    expect(readWav(Buffer.from('GSM…'), 4)).toEqual({ kind: 'not-wav' });
  });

  it('should read only files under the PBX\'s recordings directory', () => {
    expect(relativeRecordingPath('/var/spool/asterisk/monitor/', '/var/spool/asterisk/monitor/2025/03/a.wav')).toBe('2025/03/a.wav');
    expect(relativeRecordingPath('/var/spool/asterisk/monitor', 'a.wav')).toBe('a.wav');
    expect(relativeRecordingPath('/var/spool/asterisk/monitor', '/etc/passwd')).toBeNull();
    expect(relativeRecordingPath('/var/spool/asterisk/monitor', '/var/spool/asterisk/monitor/../../etc/passwd')).toBeNull();
    expect(relativeRecordingPath('/var/spool/asterisk/monitor', '/var/spool/asterisk/monitorx/a.wav')).toBeNull();
  });

  it('should name the media type by extension and build the storage URI from the configured base', () => {
    expect([mediaTypeOf('a.wav'), mediaTypeOf('a.WAV'), mediaTypeOf('a.gsm'), mediaTypeOf('a.xyz')]).toEqual(['audio/wav', 'audio/wav', 'audio/x-gsm', 'audio/x-unknown']);
    expect(storageUriOf('s3://rec/site-a/', '2025/a b.wav')).toBe('s3://rec/site-a/2025/a%20b.wav');
  });
});
