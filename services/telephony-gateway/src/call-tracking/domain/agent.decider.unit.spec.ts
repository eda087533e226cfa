import { createEnvelope } from '@switchboard/contracts';
import { queueCorrections } from '../../resync/domain/resync-comparison';
import { POST_CALL_PAUSE_WINDOW_MS } from './agent.decider';
import { CallCenterTracker } from './call-center.tracker';
import { maskCallerNumber, type Decided, type DecisionContext } from './canonical';
import type { VendorEvent } from './vendor-events';

const T0 = Date.UTC(2025, 2, 3, 8, 0, 0);
const ctx: DecisionContext = {
  pbxLinkId: 'pbx1', ringCycleMs: 5000, defaultDialedNumber: '4008001234',
  identifyCaller: (n) => ({ hash: (n === null ? 'a' : 'b').repeat(64), masked: maskCallerNumber(n) }),
};
const ms = (s: number) => T0 + s * 1000;
const agent = { agentId: '1002', extension: 'PJSIP/1002' };

const added = (s: number, queue: string, paused = false, reason = ''): VendorEvent => ({ type: 'MemberAdded', at: ms(s), ...agent, queue, paused, reason });
const removed = (s: number, queue: string): VendorEvent => ({ type: 'MemberRemoved', at: ms(s), ...agent, queue });
const pause = (s: number, paused: boolean, reason = ''): VendorEvent => ({ type: 'MemberPauseChanged', at: ms(s), ...agent, queue: 'support', paused, reason });
const answered = (s: number, callKey = 'c1'): VendorEvent => ({ type: 'AgentAnswered', at: ms(s), callKey, ...agent, queue: 'support', ringSeconds: 2 });
const completed = (s: number, callKey = 'c1'): VendorEvent => ({ type: 'AgentCallCompleted', at: ms(s), callKey, ...agent, queue: 'support', reason: 'caller' });
const otherCallJoins = (s: number): VendorEvent => ({
  type: 'CallerJoinedQueue', at: ms(s), callKey: 'other', queue: 'support', position: 1, count: 1, callerNumber: null, dialedNumber: null,
});

const apply = (tracker: CallCenterTracker, events: readonly VendorEvent[]) => events.flatMap((e) => tracker.apply(e));
const ofAgent = (out: Decided[]) => out.filter((e) => e.subject === agent.agentId);
const statesOf = (out: Decided[]) => ofAgent(out).filter((e) => e.definition.name === 'AgentStateChanged')
  .map((e) => ({ at: (e.at - T0) / 1000, to: (e.data as { current: { status: string; reason?: string } }).current }));
const memberships = (out: Decided[]) => ofAgent(out).filter((e) => e.definition.name === 'AgentQueueMembershipChanged').map((e) => e.data);

function expectValidAndGapFree(out: Decided[]): void {
  ofAgent(out).forEach((e, i) => {
    expect(e.sequence).toBe(i + 1);
    expect(() => createEnvelope(e.definition, {
      service: 'telephony-gateway', site: 'hq', tenant: 't1', subject: e.subject, sequence: e.sequence, data: e.data as never,
      id: '01890a5d-ac96-774b-bcce-b302099a8057', time: new Date(e.at),
    })).not.toThrow();
  });
}

describe('Queue membership after log-in', () => {
  it('an agent logged in to one queue who joins a second: AgentQueueMembershipChanged names both queues and the one added', () => {
    const out = apply(new CallCenterTracker(ctx), [added(0, 'support'), added(5, 'sales')]);
    expect(ofAgent(out).map((e) => e.definition.name)).toEqual(['AgentLoggedIn', 'AgentQueueMembershipChanged']);
    expect(ofAgent(out)[0].data).toMatchObject({ queueIds: ['support'] });
    expect(memberships(out)).toEqual([{ agentId: '1002', extension: 'PJSIP/1002', pbxLinkId: 'pbx1', queueIds: ['support', 'sales'], added: ['sales'], removed: [] }]);
    expect(ofAgent(out)[1].at).toBe(ms(5));
    expectValidAndGapFree(out);
  });

  it('leaving one of two queues is a membership change, leaving the last one logs the agent out', () => {
    const out = apply(new CallCenterTracker(ctx), [added(0, 'support'), added(1, 'sales'), removed(10, 'support'), removed(20, 'sales')]);
    expect(ofAgent(out).map((e) => e.definition.name)).toEqual(['AgentLoggedIn', 'AgentQueueMembershipChanged', 'AgentQueueMembershipChanged', 'AgentLoggedOut']);
    expect(memberships(out)[1]).toMatchObject({ queueIds: ['sales'], added: [], removed: ['support'] });
    expectValidAndGapFree(out);
  });

  it('a repeated QueueMemberAdded, or a QueueMemberRemoved for a queue the agent is not in, changes nothing', () => {
    const out = apply(new CallCenterTracker(ctx), [added(0, 'support'), added(0, 'support'), added(3, 'support'), removed(4, 'billing')]);
    expect(ofAgent(out).map((e) => e.definition.name)).toEqual(['AgentLoggedIn']);
  });

  it('a call from a queue the agent was not known in reveals the membership before the agent goes on call', () => {
    const out = apply(new CallCenterTracker(ctx), [added(0, 'sales'), answered(5)]);
    expect(ofAgent(out).map((e) => e.definition.name)).toEqual(['AgentLoggedIn', 'AgentQueueMembershipChanged', 'AgentStateChanged']);
    expect(memberships(out)[0]).toMatchObject({ queueIds: ['sales', 'support'], added: ['support'] });
  });

  it('a resync that lists the agent in a queue the gateway missed, and not in one it tracked, corrects both as membership changes', () => {
    const tracker = new CallCenterTracker(ctx);
    const before = apply(tracker, [added(0, 'support'), added(1, 'billing')]);
    const state = tracker.takeChanges();
    const tracked = { calls: new Map(), agents: new Map(state.agents.map(([k, s]) => [k, s!])) };
    const listing = { members: [{ ...agent, queue: 'support', paused: false, reason: '' }, { ...agent, queue: 'sales', paused: false, reason: '' }], waiting: [] };
    const corrections = queueCorrections(tracked, listing, ms(60));
    const corrected = apply(tracker, corrections.events);
    const out = [...before, ...corrected];
    expect(memberships(corrected)).toEqual([
      expect.objectContaining({ queueIds: ['support', 'billing', 'sales'], added: ['sales'], removed: [] }),
      expect.objectContaining({ queueIds: ['support', 'sales'], added: [], removed: ['billing'] }),
    ]);
    expect(ofAgent(out).map((e) => e.definition.name)).not.toContain('AgentLoggedOut');
    expectValidAndGapFree(out);
  });
});

describe('What an agent does when a call ends', () => {
  const onCall = [added(0, 'support'), answered(10)];

  it('an after-call-work pause in the same instant as the call ends: on-call straight to wrap-up, no ready moment for routing', () => {
    const out = apply(new CallCenterTracker(ctx), [...onCall, completed(70), pause(70, true, 'ACW'), pause(100, false)]);
    expect(statesOf(out)).toEqual([
      { at: 10, to: { status: 'on-call', callId: 'pbx1:c1' } }, { at: 70, to: { status: 'wrap-up', callId: 'pbx1:c1' } }, { at: 100, to: { status: 'ready' } },
    ]);
    expect(ofAgent(out).find((e) => e.at === ms(70))?.data).toMatchObject({ previous: { status: 'on-call' }, previousStateSeconds: 60 });
    expectValidAndGapFree(out);
  });

  it('an after-call-work pause a few hundred milliseconds later (hang-up handler): wrap-up starts when the call ended', () => {
    const out = apply(new CallCenterTracker(ctx), [...onCall, completed(70), otherCallJoins(70.2), pause(70.4, true, 'ACW')]);
    expect(statesOf(out).slice(1)).toEqual([{ at: 70, to: { status: 'wrap-up', callId: 'pbx1:c1' } }]);
  });

  it('no pause follows and the PBX moves on: ready from the moment the call ended, decided by the first later fact', () => {
    const tracker = new CallCenterTracker(ctx);
    const atEnd = apply(tracker, [...onCall, completed(70)]);
    expect(statesOf(atEnd).map((s) => s.to.status)).toEqual(['on-call']);
    expect(tracker.pendingCompletions).toBe(1);
    const later = tracker.apply(otherCallJoins(70 + POST_CALL_PAUSE_WINDOW_MS / 1000 + 0.5));
    expect(statesOf(later)).toEqual([{ at: 70, to: { status: 'ready' } }]);
    expect(tracker.pendingCompletions).toBe(0);
    expectValidAndGapFree([...atEnd, ...later]);
  });

  it('no pause follows and the PBX stays quiet: settling the pending ends makes the agent ready as of the call end', () => {
    const tracker = new CallCenterTracker(ctx);
    apply(tracker, [...onCall, completed(70)]);
    expect(statesOf(tracker.settleCompletions())).toEqual([{ at: 70, to: { status: 'ready' } }]);
    expect(tracker.settleCompletions()).toEqual([]);
  });

  it('an after-call-work pause later than the window: ready at the call end, then wrap-up when the pause came (as the PBX said)', () => {
    const out = apply(new CallCenterTracker(ctx), [...onCall, completed(70), pause(75, true, 'ACW')]);
    expect(statesOf(out).slice(1)).toEqual([{ at: 70, to: { status: 'ready' } }, { at: 75, to: { status: 'wrap-up', callId: 'pbx1:c1' } }]);
  });

  it('a break pause right after the call: on-call straight to not-ready (break)', () => {
    const out = apply(new CallCenterTracker(ctx), [...onCall, completed(70), pause(70, true, 'Lunch break')]);
    expect(statesOf(out).slice(1)).toEqual([{ at: 70, to: { status: 'not-ready', reason: 'meal' } }]);
  });

  it('paused during the call: the pause applies when the call ends, without waiting for more', () => {
    const out = apply(new CallCenterTracker(ctx), [...onCall, pause(30, true, 'meeting'), completed(70), otherCallJoins(80)]);
    expect(statesOf(out).slice(1)).toEqual([{ at: 70, to: { status: 'not-ready', reason: 'meeting' } }]);
  });

  it('the next call answered in the same instant: ready at the end of the first, then on call again', () => {
    const out = apply(new CallCenterTracker(ctx), [...onCall, completed(70), answered(70, 'c2')]);
    expect(statesOf(out).slice(1).map((s) => s.to)).toEqual([{ status: 'ready' }, { status: 'on-call', callId: 'pbx1:c2' }]);
    expectValidAndGapFree(out);
  });

  it('logging off right after the call: ready at the call end, then logged out', () => {
    const out = apply(new CallCenterTracker(ctx), [...onCall, completed(70), removed(70, 'support')]);
    expect(ofAgent(out).slice(-2).map((e) => e.definition.name)).toEqual(['AgentStateChanged', 'AgentLoggedOut']);
    expect(out.some((e) => e.definition.name === 'AgentLoggedOut' && (e.data as { sessionSeconds: number }).sessionSeconds === 70)).toBe(true);
  });

  it('a gateway restarted between the call end and the pause still goes straight to wrap-up (the pending end is persisted)', () => {
    const first = new CallCenterTracker(ctx);
    const before = apply(first, [...onCall, completed(70)]);
    const changes = first.takeChanges();
    const restarted = new CallCenterTracker(ctx, { calls: new Map(), agents: new Map(changes.agents.map(([k, s]) => [k, JSON.parse(JSON.stringify(s))])) });
    expect(restarted.pendingCompletions).toBe(1);
    const after = restarted.apply(pause(70, true, 'ACW'));
    expect(statesOf(after)).toEqual([{ at: 70, to: { status: 'wrap-up', callId: 'pbx1:c1' } }]);
    expectValidAndGapFree([...before, ...after]);
  });
});
