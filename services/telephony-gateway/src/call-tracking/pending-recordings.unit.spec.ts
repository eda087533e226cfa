import { AmiFrameParser } from '../ami/domain/ami-frame-parser';
import { translateAmiEvent } from '../ami/domain/ami-vendor-events';
import { MixMonitorFiles } from '../ami/domain/mixmonitor-files';
import { CallCenterTracker, RECORDING_HORIZON_MS } from './domain/call-center.tracker';
import type { CallState } from './domain/call.state';
import { maskCallerNumber, type DecisionContext } from './domain/canonical';
import { recordingsToReread } from './domain/pending-recordings';
import { withStoppedFile } from './domain/stopped-recording';

const T0 = Date.UTC(2025, 2, 3, 8, 0, 0);
const ctx: DecisionContext = {
  pbxLinkId: 'pbx1', ringCycleMs: 5000, defaultDialedNumber: '4008001234', recordings: true,
  identifyCaller: (n) => ({ hash: (n === null ? 'a' : 'b').repeat(64), masked: maskCallerNumber(n) }),
};
const caller = 'Channel: PJSIP/trunk-1\r\nCallerIDNum: 13812345678\r\nExten: s\r\nUniqueid: 100.1\r\nLinkedid: 100.1\r\n';
const agentLeg = 'DestChannel: PJSIP/1002-2\r\nDestUniqueid: 100.2\r\nDestLinkedid: 100.1\r\n';
const member = 'Queue: support\r\nMemberName: Agent 1002\r\nInterface: PJSIP/1002\r\n';
const ev = (name: string, sec: number, body: string) => `Event: ${name}\r\nPrivilege: call,all\r\nTimestamp: ${((T0 + sec * 1000) / 1000).toFixed(6)}\r\n${body}\r\n`;
const FILE = '/var/spool/asterisk/monitor/q-support-100.1.wav';
const day = ev('QueueMemberAdded', 0, `${member}Paused: 0\r\n`) + ev('QueueCallerJoin', 1, `${caller}Queue: support\r\nPosition: 1\r\nCount: 1\r\n`)
  + ev('AgentCalled', 2, caller + agentLeg + member) + ev('AgentConnect', 6, `${caller + agentLeg + member}RingTime: 4\r\nHoldTime: 5\r\n`)
  + ev('VarSet', 6, `${caller}Variable: MIXMONITOR_FILENAME\r\nValue: ${FILE}\r\n`) + ev('MixMonitorStart', 6, caller)
  + ev('MixMonitorStop', 66, caller) + ev('AgentComplete', 66, `${caller + agentLeg + member}HoldTime: 5\r\nTalkTime: 60\r\nReason: caller\r\n`)
  + ev('Hangup', 66, `${caller}Cause: 16\r\n`);

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
