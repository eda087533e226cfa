import { maskCallerNumber, type DecisionContext } from '../call-tracking/domain/canonical';

/** One answered AMI queue call recorded by MixMonitor, as frames; shared by the recording specs. */
export const T0 = Date.UTC(2025, 2, 3, 8, 0, 0);
export const ctx: DecisionContext = {
  pbxLinkId: 'pbx1', ringCycleMs: 5000, defaultDialedNumber: '4008001234', recordings: true,
  identifyCaller: (n) => ({ hash: (n === null ? 'a' : 'b').repeat(64), masked: maskCallerNumber(n) }),
};
export const caller = 'Channel: PJSIP/trunk-1\r\nCallerIDNum: 13812345678\r\nExten: s\r\nUniqueid: 100.1\r\nLinkedid: 100.1\r\n';
export const agentLeg = 'DestChannel: PJSIP/1002-2\r\nDestUniqueid: 100.2\r\nDestLinkedid: 100.1\r\n';
export const member = 'Queue: support\r\nMemberName: Agent 1002\r\nInterface: PJSIP/1002\r\n';
export const ev = (name: string, sec: number, body: string) => `Event: ${name}\r\nPrivilege: call,all\r\nTimestamp: ${((T0 + sec * 1000) / 1000).toFixed(6)}\r\n${body}\r\n`;
export const FILE = '/var/spool/asterisk/monitor/q-support-100.1.wav';
/** Queued, rung, answered, MixMonitor started (file name set by VarSet). */
export const answered = ev('QueueMemberAdded', 0, `${member}Paused: 0\r\n`) + ev('QueueCallerJoin', 1, `${caller}Queue: support\r\nPosition: 1\r\nCount: 1\r\n`)
  + ev('AgentCalled', 2, caller + agentLeg + member) + ev('AgentConnect', 6, `${caller + agentLeg + member}RingTime: 4\r\nHoldTime: 5\r\n`)
  + ev('VarSet', 6, `${caller}Variable: MIXMONITOR_FILENAME\r\nValue: ${FILE}\r\n`) + ev('MixMonitorStart', 6, caller);
/** MixMonitor stopped, the agent completes, the caller hangs up. */
export const stopAndRelease = ev('MixMonitorStop', 66, caller) + ev('AgentComplete', 66, `${caller + agentLeg + member}HoldTime: 5\r\nTalkTime: 60\r\nReason: caller\r\n`)
  + ev('Hangup', 66, `${caller}Cause: 16\r\n`);
