import { Topics } from '@switchboard/contracts';
import { CallCenterTracker } from '../call-tracking/domain/call-center.tracker';
import { maskCallerNumber, type DecisionContext } from '../call-tracking/domain/canonical';
import type { VendorEvent } from '../call-tracking/domain/vendor-events';
import { prepareBatch, type BatchContext, type LinkCounters, type PipelineItem } from './prepare-batch';

const T0 = Date.UTC(2025, 2, 3, 8, 0, 0);
const decision: DecisionContext = {
  pbxLinkId: 'fs1', ringCycleMs: 5000, defaultDialedNumber: '4008001234',
  identifyCaller: (n) => ({ hash: (n === null ? 'a' : 'b').repeat(64), masked: maskCallerNumber(n) }),
};
const batch: BatchContext = { tenant: 't1', site: 'hq', protocol: 'freeswitch-esl', decision, dropWatch: { windowMs: 60_000, threshold: 3 } };
const frame = (events: VendorEvent[], s: number): PipelineItem => ({ item: { kind: 'translated', raw: new Uint8Array([1]), events }, receivedAtMs: T0 + s * 1000 });

/** One FreeSWITCH queue call answered by agent 100x and ended at `s + 30` with the given hang-up cause. */
function call(n: number, s: number, hangupCause: string): PipelineItem[] {
  const base = { callKey: `m-${n}`, queue: 'sales' };
  const agent = { agentId: `100${n}`, extension: `100${n}@default` };
  return [
    frame([{ type: 'MemberPauseChanged', at: T0 + s * 1000, ...agent, queue: '', paused: false, reason: '' }], s),
    frame([{ type: 'CallerJoinedQueue', at: T0 + s * 1000, ...base, position: 1, count: 1, callerNumber: '13800000000', dialedNumber: null, channel: `session-${n}` }], s),
    frame([{ type: 'AgentAnswered', at: T0 + (s + 2) * 1000, ...base, ...agent, ringSeconds: 2 }], s + 2),
    frame([{ type: 'AgentCallCompleted', at: T0 + (s + 30) * 1000, ...base, ...agent, reason: 'other', hangupCause }], s + 30),
  ];
}

const types = (p: ReturnType<typeof prepareBatch>) => p.outbox.filter((m) => m.topic !== Topics.telephonyPbxRaw.name).map((m) => JSON.parse(m.value.toString()) as { type: string; subject: string; sequence: number; causationid?: string; data: Record<string, unknown> });
const counters = (): LinkCounters => ({ frameSequence: 0, linkSequence: 4, downSinceMs: null });

describe('prepareBatch', () => {
  it('raises PbxFrequentDropsDetected on the link\'s sequence when abnormal releases reach the threshold, caused by the frame', () => {
    const items = [0, 1, 2].flatMap((n) => call(n, n, 'RECOVERY_ON_TIMER_EXPIRE'));
    const p = prepareBatch(items, new CallCenterTracker(decision), counters(), batch);
    const incidents = types(p).filter((e) => e.type === 'switchboard.telephony.pbx.frequent-drops-detected.v1');
    expect(incidents).toEqual([expect.objectContaining({
      subject: 'fs1', sequence: 5, data: { pbxLinkId: 'fs1', windowSeconds: 60, droppedCalls: 3, totalCalls: 3, threshold: 3 },
    })]);
    const rawIds = p.outbox.filter((m) => m.topic === Topics.telephonyPbxRaw.name).map((m) => (JSON.parse(m.value.toString()) as { id: string }).id);
    expect(rawIds).toContain(incidents[0].causationid);
    expect(p.outbox.find((m) => m.topic === Topics.telephonyPbx.name)?.key).toBe('fs1');
    expect(p.counters).toMatchObject({ linkSequence: 5, drops: { raised: true } });
  });

  it('does not alarm on FreeSWITCH releases whose hang-up cause is a normal clearing', () => {
    const p = prepareBatch([0, 1, 2, 3].flatMap((n) => call(n, n, 'NORMAL_CLEARING')), new CallCenterTracker(decision), counters(), batch);
    expect(types(p).map((e) => e.type)).not.toContain('switchboard.telephony.pbx.frequent-drops-detected.v1');
    expect(p.counters.linkSequence).toBe(4);
    expect(p.counters.drops?.drops).toEqual([]);
  });

  it('records the caller session of an event-socket call as its channel', () => {
    const p = prepareBatch(call(7, 0, 'NORMAL_CLEARING'), new CallCenterTracker(decision), counters(), batch);
    expect(p.channels).toEqual([{ callId: 'fs1:m-7', channel: 'session-7', joinedAtMs: T0 }]);
  });

  it('a quiet tick decides what follows a call that ended with nothing after it: the agent is ready as of the call end', () => {
    const tracker = new CallCenterTracker(decision);
    const first = prepareBatch(call(1, 0, 'NORMAL_CLEARING'), tracker, counters(), batch);
    expect(types(first).filter((e) => e.type.endsWith('state-changed.v1')).map((e) => (e.data.current as { status: string }).status)).toEqual(['on-call']);
    const quiet = prepareBatch([{ item: { kind: 'quiet' }, receivedAtMs: T0 + 99_000 }], tracker, first.counters, batch);
    expect(types(quiet)).toEqual([expect.objectContaining({ type: 'switchboard.telephony.agent.state-changed.v1', subject: '1001', data: expect.objectContaining({ current: { status: 'ready' } }) })]);
    expect(quiet.outbox.filter((m) => m.topic === Topics.telephonyPbxRaw.name)).toEqual([]);
    expect(quiet.counters.frameSequence).toBe(first.counters.frameSequence);
  });
});
