import { createEnvelope } from '@switchboard/contracts';
import { AmiFrameParser } from '../../ami/domain/ami-frame-parser';
import { translateAmiEvent } from '../../ami/domain/ami-vendor-events';
import { CallCenterTracker } from './call-center.tracker';
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

  it('should emit agent states ready → on-call → ready → wrap-up → ready', () => {
    const agent = out.filter((e) => e.subject === '1002');
    expect(names(agent)).toEqual(['AgentLoggedIn', 'AgentStateChanged', 'AgentStateChanged', 'AgentStateChanged', 'AgentStateChanged']);
    expect(agent.slice(1).map((e) => (e.data as { current: { status: string } }).current.status)).toEqual(['on-call', 'ready', 'wrap-up', 'ready']);
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

  it('queue timeout is reported as QueueCallerAbandon: the call is abandoned with wait and position', () => {
    const out = run(joined + ev('QueueCallerAbandon', 61, `${caller()}Queue: support\r\nPosition: 2\r\nOriginalPosition: 3\r\nHoldTime: 60\r\n`) + leave);
    expect(find(out, 'CallAbandoned')).toMatchObject({ waitSeconds: 60, position: 2, originalPosition: 3 });
  });

  it('abandon while ringing has no AgentRingNoAnswer: no ring-no-answer is invented', () => {
    const out = run(login + joined + called + ev('QueueCallerAbandon', 5, `${caller()}Queue: support\r\nPosition: 1\r\nOriginalPosition: 1\r\nHoldTime: 4\r\n`) + leg(5, 'Hangup', '100.2'));
    expect(names(out)).not.toContain('AgentRingNoAnswer');
    expect(names(out)).toContain('CallAbandoned');
  });

  it('Redirect: a late AgentComplete without caller fields still ends the agent call', () => {
    const lateComplete = ev('AgentComplete', 80, `${member()}HoldTime: 8\r\nTalkTime: 70\r\nReason: caller\r\n`);
    const out = run(answeredCall + lateComplete);
    expect((out[out.length - 1].data as { current: { status: string } }).current.status).toBe('ready');
  });

  it('repeated vendor events are deduplicated', () => {
    const pause = (q: string) => ev('QueueMemberPause', 30, `${member('1002', q)}Paused: 1\r\nPausedReason: Lunch break\r\n`);
    const twoQueues = login + ev('QueueMemberAdded', 0, `${member('1002', 'sales')}Paused: 0\r\n`);
    const out = run(twoQueues + joined + joined + called + called + leave + connect + connect + pause('support') + pause('sales'));
    expect(names(out).filter((n) => n === 'CallAnswered' || n === 'CallQueued' || n === 'CallRinging')).toEqual(['CallQueued', 'CallRinging', 'CallAnswered']);
    expect(names(out).filter((n) => n === 'AgentLoggedIn')).toHaveLength(1);
  });

  it('blind transfer to a queue: the call is transferred and queued again', () => {
    const blind = ev('BlindTransfer', 30, `Result: Success\r\nTransfereeUniqueid: 100.1\r\nTransfereeLinkedid: 100.1\r\nExtension: sales\r\n`);
    const out = run(answeredCall + blind + complete(30, 'transfer') + leg(30, 'Hangup', '100.2') + ev('QueueCallerJoin', 31, `${caller()}Queue: sales\r\nPosition: 1\r\nCount: 1\r\n`));
    expect(names(out.filter((e) => e.subject === 'pbx1:100.1')).slice(-2)).toEqual(['CallTransferred', 'CallQueued']);
    expect(find(out, 'CallTransferred')).toMatchObject({ transferType: 'blind', target: { kind: 'queue', queueId: 'sales' }, transferCount: 1 });
  });
});
