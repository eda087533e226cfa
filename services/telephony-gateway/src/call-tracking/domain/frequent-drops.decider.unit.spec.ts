import { CallQueued, CallReleased, createEnvelope, PbxFrequentDropsDetected } from '@switchboard/contracts';
import { decided } from './canonical';
import type { AgentCallCompleted } from './vendor-events';
import { callEndsOf, DEFAULT_DROP_WATCH, initialDropWatch, watchDrops, type CallEnd, type DropWatchState } from './frequent-drops.decider';

const config = { windowMs: 60_000, threshold: 3 };
const run = (ends: CallEnd[], cfg = config) => {
  let state: DropWatchState = initialDropWatch();
  const raised: { at: number; data: NonNullable<ReturnType<typeof watchDrops>['raise']> }[] = [];
  for (const end of ends) {
    const d = watchDrops(state, end, 'asterisk-1', cfg);
    state = d.state;
    if (d.raise) raised.push({ at: end.at, data: d.raise });
  }
  return raised;
};
const drop = (s: number): CallEnd => ({ at: s * 1000, dropped: true });
const normal = (s: number): CallEnd => ({ at: s * 1000, dropped: false });

describe('frequent drops on a PBX link', () => {
  it('raises when the system-released calls in the window reach the threshold, counting every ended call', () => {
    expect(run([drop(0), normal(5), drop(10), normal(15), drop(20)])).toEqual([
      { at: 20_000, data: { pbxLinkId: 'asterisk-1', windowSeconds: 60, droppedCalls: 3, totalCalls: 5, threshold: 3 } },
    ]);
  });

  it('does not raise for drops spread wider than the window', () => {
    expect(run([drop(0), drop(40), drop(70), drop(140), drop(200)])).toEqual([]);
  });

  it('raises once per episode: not again while drops stay over the threshold, again after the window has cleared', () => {
    const raised = run([drop(0), drop(1), drop(2), drop(3), drop(4), normal(70), drop(200), drop(201), drop(202)]);
    expect(raised.map((r) => [r.at, r.data.droppedCalls])).toEqual([[2_000, 3], [202_000, 3]]);
  });

  it('uses a 5-minute window and 10 drops by default, and rejects a nonsensical configuration naming the settings', () => {
    expect(DEFAULT_DROP_WATCH).toEqual({ windowMs: 300_000, threshold: 10 });
    expect(run(Array.from({ length: 10 }, (_, i) => drop(i * 25)), DEFAULT_DROP_WATCH)).toHaveLength(1);
    expect(() => watchDrops(initialDropWatch(), drop(0), 'x', { windowMs: 0, threshold: 3 })).toThrow(/windowMs .* threshold/);
    expect(() => watchDrops(initialDropWatch(), drop(0), 'x', { windowMs: 1000, threshold: 0.5 })).toThrow(/threshold/);
  });

  it('keeps its state bounded by the window\'s seconds on a busy link, still counting every call end', () => {
    let state: DropWatchState = initialDropWatch();
    let raise: ReturnType<typeof watchDrops>['raise'] = null;
    for (let i = 0; i < 10_000; i++) {
      const d = watchDrops(state, { at: i * 10, dropped: i % 100 === 0 }, 'asterisk-1', { windowMs: 60_000, threshold: 50 });
      state = d.state;
      raise = d.raise ?? raise;
    }
    expect(state.ends.length).toBeLessThanOrEqual(61);
    expect(state.ends.reduce((n, [, c]) => n + c, 0)).toBe(6_000); // seconds 40..99 of 0..99.99
    expect(raise).toMatchObject({ droppedCalls: 50, threshold: 50 });
  });

  it('raises data valid under the published contract', () => {
    const [{ data }] = run([drop(0), drop(1), drop(2)]);
    expect(() => createEnvelope(PbxFrequentDropsDetected, {
      service: 'telephony-gateway', site: 'hq', tenant: 't1', subject: 'asterisk-1', sequence: 1, data, id: '01890a5d-ac96-774b-bcce-b302099a8057', time: new Date(0),
    })).not.toThrow();
  });

  it('reads call ends from decided call events: a system release is a drop, unless the caller is re-queued by it', () => {
    const released = (by: 'caller' | 'system', at: number) => decided(CallReleased, 'c1', 5, at, { callId: 'c1', agentId: 'a', releasedBy: by, talkSeconds: 1, holdCount: 0, totalHoldSeconds: 0, transferCount: 0 });
    const requeued = decided(CallQueued, 'c1', 6, 2, { callId: 'c1', queueId: 'q', skillId: 'q', position: 1, queueLength: 1, queueVisit: 2 });
    expect(callEndsOf([released('system', 1)])).toEqual([{ at: 1, dropped: true }]);
    expect(callEndsOf([released('caller', 1)])).toEqual([{ at: 1, dropped: false }]);
    expect(callEndsOf([released('system', 2), requeued])).toEqual([{ at: 2, dropped: false }]);
    expect(callEndsOf([requeued])).toEqual([]);
  });

  it('does not count a FreeSWITCH release (always `system`) whose hang-up cause is a normal clearing, but does count an abnormal one', () => {
    const released = decided(CallReleased, 'c1', 5, 1, { callId: 'c1', agentId: 'a', releasedBy: 'system', talkSeconds: 1, holdCount: 0, totalHoldSeconds: 0, transferCount: 0 });
    const end = (hangupCause?: string): AgentCallCompleted => ({
      type: 'AgentCallCompleted', at: 1, callKey: 'm-1', agentId: 'a', extension: 'a@default', queue: 'q', reason: 'other', ...(hangupCause === undefined ? {} : { hangupCause }),
    });
    expect(callEndsOf([released], end('NORMAL_CLEARING'))).toEqual([{ at: 1, dropped: false }]);
    expect(callEndsOf([released], end('RECOVERY_ON_TIMER_EXPIRE'))).toEqual([{ at: 1, dropped: true }]);
    expect(callEndsOf([released], end())).toEqual([{ at: 1, dropped: true }]);
  });

  it('resync-closed calls are not counted as drops: their end was not seen, only the outage was', () => {
    const released = decided(CallReleased, 'c1', 5, 1, { callId: 'c1', agentId: 'a', releasedBy: 'system', talkSeconds: 1, holdCount: 0, totalHoldSeconds: 0, transferCount: 0 });
    const closed: AgentCallCompleted = { type: 'AgentCallCompleted', at: 1, callKey: '100.1', agentId: 'a', extension: 'PJSIP/a', queue: 'q', reason: 'other', inferredByResync: true };
    expect(callEndsOf([released], closed)).toEqual([{ at: 1, dropped: false }]);
    const ends = Array.from({ length: 12 }, (_, i) => callEndsOf([released], { ...closed, callKey: `100.${i}` })[0]);
    expect(run(ends.map((e, i) => ({ ...e, at: i * 1000 })))).toEqual([]);
  });
});
