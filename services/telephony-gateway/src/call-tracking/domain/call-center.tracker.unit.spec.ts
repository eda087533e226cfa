import { createEnvelope } from '@switchboard/contracts';
import { AmiFrameParser } from '../../ami/domain/ami-frame-parser';
import { translateAmiEvent } from '../../ami/domain/ami-vendor-events';
import { CallCenterTracker, ENDED_RETENTION_MS } from './call-center.tracker';
import type { AssignmentSettled } from './vendor-events';
import { maskCallerNumber, type Decided, type DecisionContext } from './canonical';

const T0 = Date.UTC(2025, 2, 3, 8, 0, 0);
const ctx: DecisionContext = {
  pbxLinkId: 'pbx1', ringCycleMs: 5000, defaultDialedNumber: '4008001234',
  identifyCaller: (n) => ({ hash: (n === null ? 'a' : 'b').repeat(64), masked: maskCallerNumber(n) }),
};
const caller = (num = '13812345678') =>
  `Channel: PJSIP/trunk-1\r\nCallerIDNum: ${num}\r\nCallerIDName: <unknown>\r\nExten: s\r\nUniqueid: 100.1\r\nLinkedid: 100.1\r\n`;
const agentLeg = (ext = '1002') => `DestChannel: PJSIP/${ext}-2\r\nDestUniqueid: 100.2\r\nDestLinkedid: 100.1\r\n`;
const member = (ext = '1002', queue = 'support') => `Queue: ${queue}\r\nMemberName: Agent ${ext}\r\nInterface: PJSIP/${ext}\r\n`;
const at = (s: number) => `Timestamp: ${((T0 + s * 1000) / 1000).toFixed(6)}\r\n`;
const ev = (name: string, sec: number, body: string) => `Event: ${name}\r\nPrivilege: agent,all\r\n${at(sec)}${body}\r\n`;
const leg = (sec: number, name: string, uniqueid: string, extra = '') => ev(name, sec, `Uniqueid: ${uniqueid}\r\nLinkedid: 100.1\r\n${extra}`);

function run(ami: string, tracker = new CallCenterTracker(ctx)): Decided[] {
  const parser = new AmiFrameParser(1024 * 1024, false);
  return parser.push(Buffer.from(ami)).flatMap((f) => (f.kind === 'frame' ? translateAmiEvent(f, T0) : [])).flatMap((e) => tracker.apply(e));
}
const names = (out: Decided[]) => out.map((e) => e.definition.name);
const find = (out: Decided[], name: string) => out.find((e) => e.definition.name === name)?.data as Record<string, unknown>;

const login = ev('QueueMemberAdded', 0, `${member()}Paused: 0\r\nPausedReason: \r\n`);
const joined = ev('QueueCallerJoin', 1, `${caller()}Queue: support\r\nPosition: 1\r\nCount: 1\r\n`);
const called = ev('AgentCalled', 2, caller() + agentLeg() + member());
const leave = ev('QueueCallerLeave', 9, `${caller()}Queue: support\r\nCount: 0\r\nPosition: 1\r\n`);
const connect = ev('AgentConnect', 9, `${caller() + agentLeg() + member()}RingTime: 7\r\nHoldTime: 8\r\n`);
const complete = (sec: number, reason: string) => ev('AgentComplete', sec, `${caller() + agentLeg() + member()}HoldTime: 8\r\nTalkTime: 50\r\nReason: ${reason}\r\n`);
const answeredCall = login + joined + called + leave + connect;
const abandon = (sec: number) => ev('QueueCallerAbandon', sec, `${caller()}Queue: support\r\nPosition: 2\r\nOriginalPosition: 3\r\nHoldTime: ${sec - 1}\r\n`);
const queueStatus = (sec: number, value: string) => leg(sec, 'VarSet', '100.1', `Channel: PJSIP/trunk-1\r\nVariable: QUEUESTATUS\r\nValue: ${value}\r\n`);

describe('When a queued call is answered, held and released', () => {
  const out = run(answeredCall + leg(20, 'Hold', '100.2') + leg(50, 'Unhold', '100.2') + complete(60, 'caller')
    + ev('QueueMemberPause', 60, `${member()}Paused: 1\r\nPausedReason: ACW\r\n`) + ev('QueueMemberPause', 90, `${member()}Paused: 0\r\nPausedReason: \r\n`));

  it('should emit the canonical call lifecycle with gap-free sequences per subject', () => {
    const call = out.filter((e) => e.subject === 'pbx1:100.1');
    expect(names(call)).toEqual(['CallOffered', 'CallQueued', 'CallRinging', 'CallAnswered', 'CallHeld', 'CallResumed', 'CallReleased', 'CallWrapUpCompleted']);
    expect(call.map((e) => e.sequence)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(find(out, 'CallAnswered')).toMatchObject({ agentId: '1002', waitSeconds: 8, ringDurationMs: 7000, ringCount: 2 });
    expect(find(out, 'CallResumed')).toMatchObject({ holdCount: 1, holdSeconds: 30, totalHoldSeconds: 30 });
    expect(find(out, 'CallReleased')).toMatchObject({ releasedBy: 'caller', talkSeconds: 51, holdCount: 1, totalHoldSeconds: 30 });
    expect(find(out, 'CallWrapUpCompleted')).toMatchObject({ acwSeconds: 30 });
  });

  it('should emit agent states ready → on-call → wrap-up → ready (the after-call-work pause in the same instant leaves no ready moment)', () => {
    const agent = out.filter((e) => e.subject === '1002');
    expect(names(agent)).toEqual(['AgentLoggedIn', 'AgentStateChanged', 'AgentStateChanged', 'AgentStateChanged']);
    expect(agent.slice(1).map((e) => (e.data as { current: { status: string } }).current.status)).toEqual(['on-call', 'wrap-up', 'ready']);
    expect(agent.slice(1).map((e) => e.at - T0)).toEqual([9000, 60000, 90000]);
  });

  it('should publish only the hash and the masked caller number', () => {
    expect(find(out, 'CallOffered')).toMatchObject({ callerMasked: '138****5678', dialedNumber: '4008001234' });
    expect(JSON.stringify(out.map((e) => e.data))).not.toContain('13812345678');
  });

  it('should decide only events valid under the published contract', () => {
    for (const e of out) {
      expect(() => createEnvelope(e.definition, {
        service: 'telephony-gateway', site: 'hq', tenant: 't1', subject: e.subject, sequence: e.sequence, data: e.data as never,
        id: '01890a5d-ac96-774b-bcce-b302099a8057', time: new Date(e.at),
      })).not.toThrow();
    }
  });
});

describe('Known Asterisk quirks', () => {
  it('RingTime units: AgentRingNoAnswer is milliseconds, AgentConnect seconds', () => {
    const rna = ev('AgentRingNoAnswer', 7, `${caller() + agentLeg('1003') + member('1003')}RingTime: 5000\r\n`);
    const out = run(login + joined + ev('AgentCalled', 2, caller() + agentLeg('1003') + member('1003')) + rna + called.replace(at(2), at(8)) + leave + connect);
    expect(find(out, 'AgentRingNoAnswer')).toMatchObject({ agentId: '1003', ringDurationMs: 5000 });
    expect(find(out, 'CallAnswered')).toMatchObject({ ringDurationMs: 1000, ringCount: 1 });
  });

  it('QueueCallerLeave before AgentConnect: the call is answered, not abandoned', () => {
    expect(names(run(joined + called + leave + connect).filter((e) => e.subject === 'pbx1:100.1'))).toEqual(['CallOffered', 'CallQueued', 'CallRinging', 'CallAnswered']);
  });

  it('missing AgentComplete: the first leg to hang up released the call', () => {
    const out = run(answeredCall + leg(40, 'Hangup', '100.2') + leg(45, 'Hangup', '100.1'));
    expect(find(out, 'CallReleased')).toMatchObject({ releasedBy: 'agent', talkSeconds: 31 });
  });

  it('AgentComplete after the agent-leg Hangup: its Reason wins', () => {
    const out = run(answeredCall + leg(40, 'Hangup', '100.2') + complete(40, 'caller') + leg(40, 'Hangup', '100.1'));
    expect(out.filter((e) => e.definition.name === 'CallReleased')).toHaveLength(1);
    expect(find(out, 'CallReleased')).toMatchObject({ releasedBy: 'caller' });
  });

  it('<unknown> caller fields: the caller is anonymous', () => {
    const out = run(joined.replace('CallerIDNum: 13812345678', 'CallerIDNum: <unknown>'));
    expect(find(out, 'CallOffered')).toMatchObject({ callerMasked: 'anonymous' });
  });

  it('abandon: QueueCallerAbandon, QueueCallerLeave and the caller hanging up at once give CallAbandoned with wait and position', () => {
    const out = run(joined + abandon(61) + leave.replace(at(9), at(61)) + leg(61, 'Hangup', '100.1'));
    expect(find(out, 'CallAbandoned')).toMatchObject({ waitSeconds: 60, position: 2, originalPosition: 3, queueVisit: 1 });
    expect(names(out)).not.toContain('CallQueueTimedOut');
  });

  it('queue timeout: QueueCallerAbandon then QUEUESTATUS=TIMEOUT on the live caller channel is a timeout, not an abandon', () => {
    const out = run(joined + abandon(61) + leave.replace(at(9), at(61)) + queueStatus(61, 'TIMEOUT') + leg(90, 'Hangup', '100.1'));
    expect(names(out.filter((e) => e.subject === 'pbx1:100.1'))).toEqual(['CallOffered', 'CallQueued', 'CallQueueTimedOut']);
    expect(find(out, 'CallQueueTimedOut')).toMatchObject({ queueId: 'support', waitSeconds: 60, position: 2, originalPosition: 3, queueVisit: 1 });
  });

  it('queue timeout: QueueCallerLeave without QueueCallerAbandon, then QUEUESTATUS=TIMEOUT, is a timeout', () => {
    const out = run(joined + leave.replace(at(9), at(31)) + queueStatus(31, 'TIMEOUT'));
    expect(find(out, 'CallQueueTimedOut')).toMatchObject({ waitSeconds: 30, position: 1 });
    expect(names(out)).not.toContain('CallAbandoned');
  });

  it('queue timeout without QUEUESTATUS: a caller channel still up seconds after leaving the queue was let go, not abandoned', () => {
    const out = run(joined + abandon(61) + leave.replace(at(9), at(61)) + leg(95, 'Hangup', '100.1'));
    expect(find(out, 'CallQueueTimedOut')).toMatchObject({ waitSeconds: 60 });
    expect(names(out)).not.toContain('CallAbandoned');
  });

  it('queue timeout with overflow into another queue: the first visit timed out and the next visit starts', () => {
    const out = run(joined + abandon(61) + leave.replace(at(9), at(61)) + ev('QueueCallerJoin', 62, `${caller()}Queue: sales\r\nPosition: 1\r\nCount: 1\r\n`));
    const call = out.filter((e) => e.subject === 'pbx1:100.1');
    expect(names(call)).toEqual(['CallOffered', 'CallQueued', 'CallQueueTimedOut', 'CallQueued']);
    expect(call.map((e) => e.sequence)).toEqual([1, 2, 3, 4]);
    expect(call[3].data).toMatchObject({ queueId: 'sales', queueVisit: 2 });
  });

  it('abandon while ringing has no AgentRingNoAnswer: no ring-no-answer is invented', () => {
    const out = run(login + joined + called + abandon(5) + leg(5, 'Hangup', '100.2') + leg(5, 'Hangup', '100.1'));
    expect(names(out)).not.toContain('AgentRingNoAnswer');
    expect(find(out, 'CallAbandoned')).toMatchObject({ waitSeconds: 4 });
  });

  it('Redirect: a late AgentComplete without caller fields still ends the agent call', () => {
    const lateComplete = ev('AgentComplete', 80, `${member()}HoldTime: 8\r\nTalkTime: 70\r\nReason: caller\r\n`);
    const tracker = new CallCenterTracker(ctx);
    const out = [...run(answeredCall + lateComplete, tracker), ...tracker.settleCompletions()];
    expect((out[out.length - 1].data as { current: { status: string } }).current.status).toBe('ready');
  });

  it('repeated vendor events are deduplicated', () => {
    const pause = (q: string) => ev('QueueMemberPause', 30, `${member('1002', q)}Paused: 1\r\nPausedReason: Lunch break\r\n`);
    const twoQueues = login + ev('QueueMemberAdded', 0, `${member('1002', 'sales')}Paused: 0\r\n`);
    const out = run(twoQueues + joined + joined + called + called + leave + connect + connect + pause('support') + pause('sales'));
    expect(names(out).filter((n) => n === 'CallAnswered' || n === 'CallQueued' || n === 'CallRinging')).toEqual(['CallQueued', 'CallRinging', 'CallAnswered']);
    expect(names(out).filter((n) => n === 'AgentLoggedIn')).toHaveLength(1);
  });

  it('blind transfer to a queue: the agent\'s part is released at the transfer and the call starts its second queue visit', () => {
    const blind = ev('BlindTransfer', 30, `Result: Success\r\nTransfereeUniqueid: 100.1\r\nTransfereeLinkedid: 100.1\r\nExtension: sales\r\n`);
    const out = run(answeredCall + blind + complete(30, 'transfer') + leg(30, 'Hangup', '100.2') + ev('QueueCallerJoin', 31, `${caller()}Queue: sales\r\nPosition: 1\r\nCount: 1\r\n`));
    expect(names(out.filter((e) => e.subject === 'pbx1:100.1')).slice(-3)).toEqual(['CallTransferred', 'CallReleased', 'CallQueued']);
    expect(find(out, 'CallTransferred')).toMatchObject({ transferType: 'blind', target: { kind: 'queue', queueId: 'sales' }, transferCount: 1 });
    expect(find(out, 'CallReleased')).toMatchObject({ agentId: '1002', releasedBy: 'agent', talkSeconds: 21, transferCount: 1 });
    expect(out.filter((e) => e.definition.name === 'CallQueued').map((e) => (e.data as { queueVisit: number }).queueVisit)).toEqual([1, 2]);
  });
});

describe('Queue visits and transfers', () => {
  const pause = (sec: number, ext: string, paused: boolean, reason = 'ACW') => ev('QueueMemberPause', sec, `${member(ext)}Paused: ${paused ? 1 : 0}\r\nPausedReason: ${paused ? reason : ''}\r\n`);
  const joinedAt = (sec: number, queue = 'support') => ev('QueueCallerJoin', sec, `${caller()}Queue: ${queue}\r\nPosition: 1\r\nCount: 1\r\n`);
  const agentCalled = (sec: number, ext: string) => ev('AgentCalled', sec, caller() + agentLeg(ext) + member(ext));
  const agentConnect = (sec: number, ext: string) => ev('AgentConnect', sec, `${caller() + agentLeg(ext) + member(ext)}RingTime: 1\r\nHoldTime: 2\r\n`);
  const agentComplete = (sec: number, ext: string, reason: string) => ev('AgentComplete', sec, `${caller() + agentLeg(ext) + member(ext)}HoldTime: 2\r\nTalkTime: 9\r\nReason: ${reason}\r\n`);
  const blind = (sec: number, queue: string) => ev('BlindTransfer', sec, `Result: Success\r\nTransfereeUniqueid: 100.1\r\nTransfereeLinkedid: 100.1\r\nExtension: ${queue}\r\n`);
  const data = (out: Decided[], name: string) => out.filter((e) => e.definition.name === name).map((e) => e.data as Record<string, unknown>);
  const secondLogin = ev('QueueMemberAdded', 0, `${member('1003')}Paused: 0\r\nPausedReason: \r\n`);
  const firstVisit = login + secondLogin + joined + called + leave + connect;

  it('a call blindly transferred back into the same queue: visit 2 rings and is answered, and the first agent\'s wrap-up completes while it waits', () => {
    const out = run(firstVisit + blind(30, 'support') + agentComplete(30, '1002', 'transfer') + leg(30, 'Hangup', '100.2') + pause(30, '1002', true)
      + joinedAt(31) + agentCalled(33, '1003') + pause(40, '1002', false) + leave.replace(at(9), at(35)) + agentConnect(35, '1003')
      + agentComplete(95, '1003', 'caller') + pause(95, '1003', true) + pause(105, '1003', false));
    const call = out.filter((e) => e.subject === 'pbx1:100.1');
    expect(names(call)).toEqual([
      'CallOffered', 'CallQueued', 'CallRinging', 'CallAnswered', 'CallTransferred', 'CallReleased',
      'CallQueued', 'CallRinging', 'CallWrapUpCompleted', 'CallAnswered', 'CallReleased', 'CallWrapUpCompleted',
    ]);
    expect(call.map((e) => e.sequence)).toEqual(call.map((_, i) => i + 1));
    expect(data(out, 'CallQueued').map((d) => [d.queueId, d.queueVisit])).toEqual([['support', 1], ['support', 2]]);
    expect(data(out, 'CallRinging').map((d) => [d.agentId, d.queueVisit])).toEqual([['1002', 1], ['1003', 2]]);
    expect(data(out, 'CallAnswered').map((d) => [d.agentId, d.queueVisit, d.waitSeconds])).toEqual([['1002', 1, 8], ['1003', 2, 4]]);
    expect(data(out, 'CallReleased').map((d) => [d.agentId, d.talkSeconds, d.transferCount])).toEqual([['1002', 21, 1], ['1003', 60, 1]]);
    expect(data(out, 'CallWrapUpCompleted').map((d) => [d.agentId, d.acwSeconds])).toEqual([['1002', 10], ['1003', 10]]);
  });

  it('a caller hanging up in the second queue visit abandons visit 2', () => {
    const out = run(firstVisit + blind(30, 'sales') + agentComplete(30, '1002', 'transfer') + leg(30, 'Hangup', '100.2') + joinedAt(31, 'sales')
      + ev('QueueCallerAbandon', 50, `${caller()}Queue: sales\r\nPosition: 1\r\nOriginalPosition: 1\r\nHoldTime: 19\r\n`) + leg(50, 'Hangup', '100.1'));
    expect(data(out, 'CallAbandoned')).toEqual([expect.objectContaining({ queueId: 'sales', waitSeconds: 19, queueVisit: 2 })]);
  });

  it('attended transfer: the transferring agent\'s talk ends at the hand-over and its after-call work is reported', () => {
    const attended = ev('AttendedTransfer', 60, 'Result: Success\r\nTransfereeUniqueid: 100.1\r\nTransfereeLinkedid: 100.1\r\nTransferTargetCallerIDNum: 2000\r\n');
    const out = run(firstVisit + leg(20, 'Hold', '100.2') + leg(50, 'Unhold', '100.2') + attended + agentComplete(60, '1002', 'transfer') + leg(60, 'Hangup', '100.2')
      + pause(60, '1002', true) + pause(85, '1002', false) + leg(300, 'Hangup', '100.1'));
    const call = out.filter((e) => e.subject === 'pbx1:100.1');
    expect(names(call)).toEqual(['CallOffered', 'CallQueued', 'CallRinging', 'CallAnswered', 'CallHeld', 'CallResumed', 'CallTransferred', 'CallReleased', 'CallWrapUpCompleted']);
    expect(data(out, 'CallTransferred')[0]).toMatchObject({ transferType: 'attended', target: { kind: 'agent', agentId: '2000' }, fromAgentId: '1002' });
    expect(data(out, 'CallReleased')[0]).toMatchObject({ agentId: '1002', releasedBy: 'agent', talkSeconds: 51, totalHoldSeconds: 30, transferCount: 1 });
    expect(data(out, 'CallWrapUpCompleted')[0]).toMatchObject({ agentId: '1002', acwSeconds: 25 });
    const agent = out.filter((e) => e.subject === '1002' && e.definition.name === 'AgentStateChanged').map((e) => (e.data as { current: { status: string } }).current.status);
    expect(agent).toEqual(['on-call', 'wrap-up', 'ready']);
  });

  it('Redirect of an answered caller back into a queue (no transfer event): the agent\'s part is released by the system and visit 2 starts', () => {
    const out = run(answeredCall + leg(40, 'Hangup', '100.2') + joinedAt(41, 'sales'));
    const call = out.filter((e) => e.subject === 'pbx1:100.1');
    expect(names(call).slice(-2)).toEqual(['CallReleased', 'CallQueued']);
    expect(data(out, 'CallReleased')[0]).toMatchObject({ releasedBy: 'system', talkSeconds: 32 });
    expect(data(out, 'CallQueued')[1]).toMatchObject({ queueId: 'sales', queueVisit: 2 });
  });
});

describe('Routing assignment outcomes on the call', () => {
  const settled = (callKey: string, sec: number, outcome: AssignmentSettled['outcome']): AssignmentSettled =>
    ({ type: 'AssignmentSettled', at: T0 + sec * 1000, callKey, assignmentEventId: `a-${sec}`, agentId: '1002', outcome });

  it('an outcome is stamped with the PBX time last seen, not the gateway\'s clock', () => {
    const tracker = new CallCenterTracker(ctx);
    run(joined, tracker);
    const [e] = tracker.apply({ ...settled('100.1', 0, { status: 'executed', action: 'redirect', queuedToExecutedMs: 5 }), at: Date.UTC(2030, 0, 1) });
    expect(e.at).toBe(T0 + 1000);
  });

  it('an outcome continues the call\'s sequence, between the events the PBX reports', () => {
    const tracker = new CallCenterTracker(ctx);
    const before = run(login + joined, tracker);
    const executed = tracker.apply(settled('100.1', 2, { status: 'executed', action: 'redirect', queuedToExecutedMs: 1200 }));
    const after = run(called + leave + connect, tracker);
    const call = [...before, ...executed, ...after].filter((e) => e.subject === 'pbx1:100.1');
    expect(names(call)).toEqual(['CallOffered', 'CallQueued', 'CallAssignmentExecuted', 'CallRinging', 'CallAnswered']);
    expect(call.map((e) => e.sequence)).toEqual([1, 2, 3, 4, 5]);
    expect(executed[0].data).toEqual({ callId: 'pbx1:100.1', agentId: '1002', assignmentEventId: 'a-2', pbxLinkId: 'pbx1', action: 'redirect', queuedToExecutedMs: 1200 });
  });

  it('a failure for a call the caller just abandoned still follows its last event; a call never seen starts at 1', () => {
    const tracker = new CallCenterTracker(ctx);
    run(joined + ev('QueueCallerAbandon', 5, `${caller()}Queue: support\r\nPosition: 1\r\nOriginalPosition: 1\r\nHoldTime: 4\r\n`) + leg(5, 'Hangup', '100.1'), tracker);
    const [late] = tracker.apply(settled('100.1', 6, { status: 'failed', failure: 'unknown-call', reason: 'call no longer waiting' }));
    expect(late).toMatchObject({ subject: 'pbx1:100.1', sequence: 4, data: { failure: 'unknown-call', reason: 'call no longer waiting' } });
    const [unknown] = tracker.apply(settled('999.9', 6, { status: 'failed', failure: 'unknown-call', reason: 'unknown call' }));
    expect(unknown).toMatchObject({ subject: 'pbx1:999.9', sequence: 1 });
  });

  it('a finished call is forgotten once the retention has passed', () => {
    const tracker = new CallCenterTracker(ctx);
    run(joined + ev('QueueCallerAbandon', 5, `${caller()}Queue: support\r\nPosition: 1\r\nOriginalPosition: 1\r\nHoldTime: 4\r\n`) + leg(5, 'Hangup', '100.1'), tracker);
    expect(tracker.size.calls).toBe(1);
    run(ev('Hangup', 5 + ENDED_RETENTION_MS / 1000 - 1, 'Uniqueid: 300.1\r\nLinkedid: 300.1\r\n'), tracker);
    expect(tracker.size.calls).toBe(1);
    run(ev('Hangup', 5 + ENDED_RETENTION_MS / 1000 + 1, 'Uniqueid: 300.1\r\nLinkedid: 300.1\r\n'), tracker);
    expect(tracker.size.calls).toBe(0);
    expect(tracker.takeChanges().calls).toContainEqual(['100.1', undefined]);
  });
});
