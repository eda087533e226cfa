import type { Pool } from 'pg';
import type { AmiFrame } from '../ami/domain/ami-frame';
import { AmiResync, TIER_WAIT_MS } from '../ami/infrastructure/ami-resync';
import type { LinkPipeline } from '../publishing/link-pipeline';
import type { PipelineItem } from '../publishing/prepare-batch';

const frame = (headers: [string, string][]): AmiFrame => ({ kind: 'frame', headers, text: [], raw: new Uint8Array(Buffer.from(headers.map(([k, v]) => `${k}: ${v}`).join('\r\n'))) });
const PBX_NOW = Date.parse('2025-03-03T10:30:00Z');

/** AmiResync over a pipeline that only records what it is given, and a database whose state tracks nothing. */
function resyncing(trackedRows: { kind: string; subject: string; state: unknown }[] = []) {
  const pushed: PipelineItem[] = [];
  const holds: boolean[] = [];
  const tiersChecked: (string | undefined)[] = [];
  const pipeline = { push: (i: PipelineItem) => { pushed.push(i); }, flush: async () => undefined } as unknown as LinkPipeline;
  const pool = { query: async () => ({ rows: trackedRows }) } as unknown as Pool;
  const resync = new AmiResync({ pool, pbxLinkId: 'pbx-1', pipeline, hold: (h) => holds.push(h), checkTier: (raw) => tiersChecked.push(raw) });
  return { resync, pushed, holds, tiersChecked, receive: (f: AmiFrame) => resync.receive(f, PBX_NOW) };
}
const nameOf = (i: PipelineItem) => {
  const raw = Buffer.from((i.item as { raw: Uint8Array }).raw).toString();
  return /Event: (\w+)/.exec(raw)?.[1] ?? /Ping: (\w+)/.exec(raw)?.[0] ?? raw;
};

describe('a caller found waiting by an AMI resync', () => {
  it('should be re-created with the SWITCHBOARD_CALLER_TIER of its channel from the channel list, ahead of the live events received meanwhile', async () => {
    const r = resyncing();
    const result = r.resync.nextResult();
    r.receive(frame([['Response', 'Success'], ['ActionID', 'sb-resync-1'], ['Ping', 'Pong'], ['Timestamp', (PBX_NOW / 1000).toFixed(6)]]));
    r.receive(frame([['Event', 'QueueEntry'], ['Queue', 'support'], ['Position', '1'], ['Channel', 'PJSIP/trunk-00000001'], ['Uniqueid', '100.1'],
      ['CallerIDNum', '13812345678'], ['Wait', '12'], ['ActionID', 'sb-resync-2']]));
    r.receive(frame([['Event', 'QueueStatusComplete'], ['ActionID', 'sb-resync-2'], ['EventList', 'Complete'], ['ListItems', '1']]));
    // A live event after the queue list: it must not be applied before the caller it may concern exists.
    r.receive(frame([['Event', 'AgentCalled'], ['Privilege', 'agent,all'], ['Uniqueid', '100.1'], ['Linkedid', '100.1'], ['Queue', 'support']]));
    // The socket is not paused while the channel list is awaited (it has to come in), and nothing is applied yet.
    expect(r.holds).toEqual([]);
    expect(r.pushed.map(nameOf)).toEqual(['Ping: Pong', 'QueueEntry']);
    r.receive(frame([['Event', 'CoreShowChannel'], ['ActionID', 'sb-resync-3'], ['Channel', 'PJSIP/trunk-00000001'], ['ChannelState', '4'], ['Uniqueid', '100.1'],
      ['Linkedid', '100.1'], ['ChanVariable', 'SWITCHBOARD_CALLER_TIER=VIP']]));
    r.receive(frame([['Event', 'CoreShowChannelsComplete'], ['ActionID', 'sb-resync-3'], ['EventList', 'Complete'], ['ListItems', '1']]));
    await result;
    await new Promise((resolve) => setImmediate(resolve));

    expect(r.pushed.map(nameOf)).toEqual(['Ping: Pong', 'QueueEntry', 'QueueStatusComplete', 'AgentCalled', 'CoreShowChannel', 'CoreShowChannelsComplete']);
    const corrections = r.pushed[2].item as { kind: string; events: unknown[] };
    expect(corrections.events).toEqual([{
      type: 'CallerJoinedQueue', at: PBX_NOW - 12_000, callKey: '100.1', queue: 'support', position: 1, count: 1, callerNumber: '13812345678', dialedNumber: null, callerTier: 'vip',
    }]);
    // Paused only for the comparisons, once the channel list was in.
    expect(r.holds).toEqual([true, true, false]);
  });

  it('should be re-created without a tier, and the live events go on, when the channel list does not come in time', async () => {
    jest.useFakeTimers();
    try {
      const r = resyncing();
      r.receive(frame([['Event', 'QueueEntry'], ['Queue', 'support'], ['Position', '1'], ['Uniqueid', '100.1'], ['CallerIDNum', '13812345678'], ['Wait', '12'], ['ActionID', 'sb-resync-2']]));
      r.receive(frame([['Event', 'QueueStatusComplete'], ['ActionID', 'sb-resync-2'], ['EventList', 'Complete'], ['ListItems', '1']]));
      r.receive(frame([['Event', 'AgentCalled'], ['Privilege', 'agent,all'], ['Uniqueid', '100.1'], ['Linkedid', '100.1'], ['Queue', 'support']]));
      jest.advanceTimersByTime(TIER_WAIT_MS - 1);
      expect(r.pushed.map(nameOf)).toEqual(['QueueEntry']);
      jest.advanceTimersByTime(1);
      await jest.runAllTimersAsync();
      expect(r.pushed.map(nameOf)).toEqual(['QueueEntry', 'QueueStatusComplete', 'AgentCalled']);
      expect((r.pushed[1].item as { kind: string; events: unknown[] }).events).toEqual([expect.not.objectContaining({ callerTier: expect.anything() })]);
      expect(r.holds).toEqual([true, false]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('should hand the tier values of re-created callers to the invalid-tier count, and not those of callers already tracked', async () => {
    const r = resyncing([{ kind: 'call', subject: '200.1', state: { status: 'queued' } }]);
    const result = r.resync.nextResult();
    const entry = (uniqueid: string, position: string) => frame([['Event', 'QueueEntry'], ['Queue', 'support'], ['Position', position], ['Uniqueid', uniqueid],
      ['CallerIDNum', '13812345678'], ['Wait', '5'], ['ActionID', 'sb-resync-2']]);
    const channel = (uniqueid: string, tier: string) => frame([['Event', 'CoreShowChannel'], ['ActionID', 'sb-resync-3'], ['Channel', `PJSIP/trunk-${uniqueid}`],
      ['ChannelState', '4'], ['Uniqueid', uniqueid], ['Linkedid', uniqueid], ['ChanVariable', `SWITCHBOARD_CALLER_TIER=${tier}`]]);
    r.receive(entry('100.1', '1'));
    r.receive(entry('200.1', '2'));
    r.receive(entry('300.1', '3'));
    r.receive(frame([['Event', 'QueueStatusComplete'], ['ActionID', 'sb-resync-2'], ['EventList', 'Complete'], ['ListItems', '3']]));
    r.receive(channel('100.1', 'Gold Member!'));
    r.receive(channel('200.1', 'Also Invalid!'));
    r.receive(channel('300.1', 'VIP'));
    r.receive(frame([['Event', 'CoreShowChannelsComplete'], ['ActionID', 'sb-resync-3'], ['EventList', 'Complete'], ['ListItems', '3']]));
    await result;

    // 100.1 and 300.1 are re-created; 200.1 is tracked (its tier was checked when it joined).
    expect(r.tiersChecked).toEqual(['Gold Member!', 'vip']);
    const recreated = (r.pushed.find((i) => nameOf(i) === 'QueueStatusComplete')!.item as { events: readonly { callKey: string; callerTier?: string }[] }).events;
    expect(recreated.map((e) => [e.callKey, e.callerTier])).toEqual([['100.1', undefined], ['300.1', 'vip']]);
  });
});
