import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createEnvelope } from '@switchboard/contracts';
import { CallCenterTracker } from '../call-tracking/domain/call-center.tracker';
import { maskCallerNumber, type Decided, type DecisionContext } from '../call-tracking/domain/canonical';
import { EslCallCenterTranslator } from './domain/esl-callcenter-translator';
import { parsePlainEvent, parseTierList } from './domain/esl-frame';
import { EslFrameParser } from './domain/esl-frame-parser';

const T0 = Date.parse('2025-03-03T08:00:00Z');
const ctx: DecisionContext = {
  pbxLinkId: 'fs1', ringCycleMs: 5000, defaultDialedNumber: '4008001234',
  identifyCaller: (n) => ({ hash: (n === null ? 'a' : 'b').repeat(64), masked: maskCallerNumber(n) }),
};
const corpus = (name: string) => readFileSync(join(__dirname, '../../test/corpus/esl', name));
const enc = (v: string) => encodeURIComponent(v);

/** A plain event as the wire carries it (values URL-encoded). */
function event(sec: number, action: string, fields: Record<string, string>): string {
  const head = { 'Event-Name': 'CUSTOM', 'Event-Date-Timestamp': `${T0 + sec * 1000}000`, 'Event-Subclass': 'callcenter::info', 'CC-Action': action, ...fields };
  const body = `${Object.entries(head).map(([k, v]) => `${k}: ${enc(v)}`).join('\n')}\n\n`;
  return `Content-Length: ${Buffer.byteLength(body)}\nContent-Type: text/event-plain\n\n${body}`;
}
const member = { 'CC-Queue': 'sales@default', 'CC-Member-UUID': 'm-2', 'CC-Member-Session-UUID': 's-2', 'CC-Member-CID-Number': '13900001111' };
const agent = (id = '1001') => ({ 'CC-Agent': `${id}@default` });

function run(wire: string | Buffer, translator = new EslCallCenterTranslator(), tracker = new CallCenterTracker(ctx)): Decided[] {
  return new EslFrameParser().push(Buffer.from(wire))
    .flatMap((f) => (f.kind === 'frame' && f.contentType === 'text/event-plain' ? translator.translate(parsePlainEvent(f.body), 0) : []))
    .flatMap((e) => tracker.apply(e));
}
const names = (out: Decided[]) => out.map((e) => e.definition.name);
const find = (out: Decided[], name: string) => out.find((e) => e.definition.name === name)?.data as Record<string, unknown>;

describe('mod_callcenter CC-Action translation', () => {
  it('should turn member-queue-start, agent-offering, bridge-agent-start/end into an answered and released call', () => {
    const tracker = new CallCenterTracker(ctx);
    const out = run(corpus('callcenter-call-answered.esl'), new EslCallCenterTranslator(), tracker);
    // The agent's queue is first named by the call; the state after the call waits for what follows (nothing here).
    expect(names(out)).toEqual(['AgentLoggedIn', 'CallOffered', 'CallQueued', 'CallRinging', 'CallAnswered', 'AgentQueueMembershipChanged', 'AgentStateChanged', 'CallReleased']);
    expect(find(out, 'AgentQueueMembershipChanged')).toMatchObject({ agentId: '1001', queueIds: ['sales'], added: ['sales'], removed: [] });
    out.push(...tracker.settleCompletions());
    expect(find(out.slice(-1), 'AgentStateChanged')).toMatchObject({ previous: { status: 'on-call' }, current: { status: 'ready' } });
    expect(find(out, 'CallOffered')).toMatchObject({ callId: 'fs1:m-1', callerMasked: '+861******5678', dialedNumber: '4008001234' });
    expect(find(out, 'CallQueued')).toMatchObject({ queueId: 'sales', skillId: 'sales' });
    expect(find(out, 'CallAnswered')).toMatchObject({ agentId: '1001', extension: '1001@default', waitSeconds: 6.5, ringDurationMs: 5500, ringCount: 2 });
    expect(find(out, 'CallReleased')).toMatchObject({ talkSeconds: 60, releasedBy: 'system' });
    const translator = new EslCallCenterTranslator();
    const ends = new EslFrameParser().push(corpus('callcenter-call-answered.esl'))
      .flatMap((f) => (f.kind === 'frame' && f.contentType === 'text/event-plain' ? translator.translate(parsePlainEvent(f.body), 0) : []))
      .filter((e) => e.type === 'AgentCallCompleted');
    expect(ends).toEqual([expect.objectContaining({ reason: 'other', hangupCause: 'NORMAL_CLEARING' })]);
    expect(find(out, 'AgentLoggedIn')).toMatchObject({ agentId: '1001', queueIds: [] });
    for (const e of out) createEnvelope(e.definition, { service: 'gw', site: 's', tenant: 't', subject: e.subject, sequence: e.sequence, data: e.data as never, id: '0190a0b0-0000-7000-8000-000000000001', time: new Date(e.at) });
  });

  it('should report member-queue-end Cancel (caller hung up) as abandoned, with the wait measured from the event dates', () => {
    const out = run(event(0, 'member-queue-start', member) + event(42, 'member-queue-end', { ...member, 'CC-Cause': 'Cancel', 'CC-Cancel-Reason': 'NONE' }));
    expect(names(out)).toEqual(['CallOffered', 'CallQueued', 'CallAbandoned']);
    expect(find(out, 'CallAbandoned')).toMatchObject({ callId: 'fs1:m-2', waitSeconds: 42, position: 1, queueVisit: 1 });
  });

  it('should report member-queue-end Cancel with CC-Cancel-Reason TIMEOUT as a queue timeout, and BREAK_OUT as the caller leaving', () => {
    const end = (reason: string) => event(0, 'member-queue-start', member) + event(300, 'member-queue-end', { ...member, 'CC-Cause': 'Cancel', 'CC-Cancel-Reason': reason });
    expect(names(run(end('TIMEOUT')))).toEqual(['CallOffered', 'CallQueued', 'CallQueueTimedOut']);
    expect(find(run(end('TIMEOUT')), 'CallQueueTimedOut')).toMatchObject({ queueId: 'sales', waitSeconds: 300, queueVisit: 1 });
    expect(names(run(end('NO_AGENT_TIMEOUT')))).toContain('CallQueueTimedOut');
    expect(names(run(end('BREAK_OUT')))).toEqual(['CallOffered', 'CallQueued', 'CallAbandoned']);
  });

  it('should keep the caller\'s session UUID as the channel an assignment transfers (uuid_transfer)', () => {
    const [frame] = new EslFrameParser().push(Buffer.from(event(0, 'member-queue-start', member)));
    const joined = frame.kind === 'frame' ? new EslCallCenterTranslator().translate(parsePlainEvent(frame.body), 0) : [];
    expect(joined).toEqual([expect.objectContaining({ type: 'CallerJoinedQueue', callKey: 'm-2', channel: 's-2' })]);
  });

  it('should count bridge-agent-fail NO_ANSWER as ring-no-answer but not ORIGINATOR_CANCEL (caller left while ringing)', () => {
    const fail = (sec: number, cause: string) => event(sec, 'bridge-agent-fail', {
      ...member, ...agent(), 'CC-Hangup-Cause': cause, 'CC-Agent-Called-Time': String(T0 / 1000 + 1), 'CC-Agent-Aborted-Time': String(T0 / 1000 + sec),
    });
    const start = event(0, 'agent-status-change', { ...agent(), 'CC-Agent-Status': 'Available' }) + event(0, 'member-queue-start', member) + event(1, 'agent-offering', { ...member, ...agent() });
    expect(find(run(start + fail(16, 'NO_ANSWER')), 'AgentRingNoAnswer')).toMatchObject({ agentId: '1001', callId: 'fs1:m-2', queueId: 'sales', ringDurationMs: 15000 });
    expect(names(run(start + fail(16, 'ORIGINATOR_CANCEL')))).not.toContain('AgentRingNoAnswer');
  });

  it('should combine agent status and state: On Break is a break, Idle after a call is wrap-up, Logged Out leaves every queue', () => {
    const status = (sec: number, s: string) => event(sec, 'agent-status-change', { ...agent(), 'CC-Agent-Status': s });
    const state = (sec: number, s: string) => event(sec, 'agent-state-change', { ...agent(), 'CC-Agent-State': s });
    const call = event(1, 'member-queue-start', member) + event(2, 'agent-offering', { ...member, ...agent() }) + state(3, 'In a queue call')
      + event(3, 'bridge-agent-start', { ...member, ...agent() }) + event(30, 'bridge-agent-end', { ...member, ...agent() });
    const out = run(status(0, 'Available') + call + state(30, 'Idle') + state(40, 'Waiting') + status(50, 'On Break') + status(60, 'Available') + status(70, 'Logged Out'));
    const states = out.filter((e) => e.definition.name === 'AgentStateChanged').map((e) => (e.data as { current: { status: string; reason?: string } }).current);
    expect(states).toEqual([
      { status: 'on-call', callId: 'fs1:m-2' }, { status: 'wrap-up', callId: 'fs1:m-2' }, { status: 'ready' },
      { status: 'not-ready', reason: 'break' }, { status: 'ready' },
    ]);
    expect(find(out, 'CallWrapUpCompleted')).toMatchObject({ acwSeconds: 10 });
    expect(find(out, 'AgentLoggedOut')).toMatchObject({ agentId: '1001', sessionSeconds: 70 });
  });

  it('should ignore state changes of an agent whose status is unknown, and resync from the agent list', () => {
    const translator = new EslCallCenterTranslator();
    expect(translator.translate(parsePlainEvent(`Event-Subclass: callcenter%3A%3Ainfo\nCC-Action: agent-state-change\nCC-Agent: 1002%40default\nCC-Agent-State: Idle\n\n`), 5)).toEqual([]);
    expect(translator.resync([{ name: '1002@default', status: 'On Break', state: 'Waiting' }, { name: '1003@default', status: 'Logged Out', state: 'Waiting' }], 9)).toEqual([
      { type: 'MemberPauseChanged', at: 9, agentId: '1002', extension: '1002@default', queue: '', paused: true, reason: 'On Break' },
      { type: 'MemberRemoved', at: 9, agentId: '1003', extension: '1003@default', queue: '' },
    ]);
    expect(translator.resync([{ name: '1002@default', status: 'On Break', state: 'Waiting' }], 10)).toEqual([]);
  });

  it('should ignore events of other subclasses and unknown CC-Actions', () => {
    expect(run(event(0, 'members-count', { 'CC-Count': '3' }) + event(0, 'agent-max-no-answer', agent()))).toEqual([]);
  });
});

describe('When the event socket resyncs queue memberships (callcenter_config tier list)', () => {
  const tierList = 'queue|agent|state|level|position\nsupport@default|1002@default|Ready|1|1\nsales@default|1002@default|Ready|2|1\nsales@default|1003@default|Ready|1|1\n+OK\n';

  it('should read the tier rows, and none from an -ERR answer', () => {
    expect(parseTierList(tierList)).toEqual([
      { queue: 'support@default', agent: '1002@default', state: 'Ready' }, { queue: 'sales@default', agent: '1002@default', state: 'Ready' },
      { queue: 'sales@default', agent: '1003@default', state: 'Ready' },
    ]);
    expect(parseTierList('-ERR tier Command not found!\n')).toEqual([]);
  });

  it('should make each logged-in agent a member of its queues, paused as the agent is, and skip logged-out agents', () => {
    const translator = new EslCallCenterTranslator();
    translator.resync([{ name: '1002@default', status: 'On Break', state: 'Waiting' }, { name: '1003@default', status: 'Logged Out', state: 'Waiting' }], 9);
    expect(translator.resyncTiers(parseTierList(tierList), 10)).toEqual([
      { type: 'MemberAdded', at: 10, agentId: '1002', extension: '1002@default', queue: 'support', paused: true, reason: 'On Break' },
      { type: 'MemberAdded', at: 10, agentId: '1002', extension: '1002@default', queue: 'sales', paused: true, reason: 'On Break' },
    ]);
  });

  it('should give the tracked agent its queues (AgentQueueMembershipChanged), once', () => {
    const translator = new EslCallCenterTranslator();
    const tracker = new CallCenterTracker(ctx);
    const apply = (events: ReturnType<EslCallCenterTranslator['resync']>) => events.flatMap((e) => tracker.apply(e));
    apply(translator.resync([{ name: '1002@default', status: 'Available', state: 'Waiting' }], T0));
    const first = apply(translator.resyncTiers(parseTierList(tierList), T0 + 1));
    expect(first.map((e) => [e.definition.name, (e.data as { queueIds?: string[] }).queueIds])).toEqual([
      ['AgentQueueMembershipChanged', ['support']], ['AgentQueueMembershipChanged', ['support', 'sales']],
    ]);
    expect(apply(translator.resyncTiers(parseTierList(tierList), T0 + 2))).toEqual([]);
  });
});
