import { AmiFrameParser } from '../ami/domain/ami-frame-parser';
import { translateAmiEvent } from '../ami/domain/ami-vendor-events';
import { MixMonitorFiles } from '../ami/domain/mixmonitor-files';
import { CallCenterTracker, RECORDING_HORIZON_MS } from './domain/call-center.tracker';
import type { CallState } from './domain/call.state';
import { recordingsToReread } from './domain/pending-recordings';
import { withStoppedFile } from './domain/stopped-recording';
import { T0, ctx, FILE, answered, stopAndRelease } from '../test-support/recorded-call.fixture';

const day = answered + stopAndRelease;

/** The AMI stream as the link applies it: each recording stop carries the file MixMonitor named. */
function trackedAfter(ami: string): Map<string, CallState> {
  const tracker = new CallCenterTracker(ctx);
  const files = new MixMonitorFiles();
  for (const f of new AmiFrameParser(1024 * 1024, false).push(Buffer.from(ami))) {
    if (f.kind !== 'frame') continue;
    const stopped = files.observe(f, T0);
    const events = translateAmiEvent(f, T0);
    (stopped === undefined ? events : withStoppedFile(events, stopped)).forEach((e) => tracker.apply(e));
  }
  return new Map(tracker.takeChanges().calls.filter((c): c is [string, CallState] => c[1] !== undefined));
}

describe('A recording whose file was not read yet when the gateway stopped', () => {
  const calls = trackedAfter(day);

  it('should be kept in the call\'s persisted state with its file, its PBX length and its stop time', () => {
    expect(calls.get('100.1')).toMatchObject({ status: 'ended', recordings: [{ channel: '100.1', agentId: '1002', file: FILE, reportedSeconds: 60, stoppedAtMs: T0 + 66_000 }] });
  });

  it('should be read again at the next start, as the stop event named it', () => {
    expect(recordingsToReread(calls)).toEqual([{ callKey: '100.1', channel: '100.1', file: FILE, at: T0 + 66_000, reportedSeconds: 60 }]);
  });

  it('should not be read again once the call ended longer ago than the recording horizon, nor when noted without its file', () => {
    const ended = calls.get('100.1') as Extract<CallState, { status: 'ended' }>;
    const later: CallState = { ...ended, callId: 'pbx1:200.1', status: 'queued', queueId: 'support', queuedAtMs: ended.endedAtMs + RECORDING_HORIZON_MS + 1, position: 1, offers: 0, ringing: null, leaving: null, recordings: [] };
    expect(recordingsToReread(new Map<string, CallState>([['100.1', ended], ['200.1', later]]))).toEqual([]);
    const noFile: CallState = { ...ended, recordings: [{ channel: '100.1', agentId: '1002' }] };
    expect(recordingsToReread(new Map([['100.1', noFile]]))).toEqual([]);
  });

  it('should mark only the stop of the recorded channel with its file', () => {
    const stopped = { callKey: '100.1', channel: '100.1', file: FILE, at: T0, reportedSeconds: 1 };
    const other = { type: 'RecordingStopped', at: T0, callKey: '100.1', channel: '100.2' } as const;
    expect(withStoppedFile([other, { ...other, channel: '100.1' }], stopped)).toEqual([other, { ...other, channel: '100.1', file: FILE, reportedSeconds: 1 }]);
  });
});
