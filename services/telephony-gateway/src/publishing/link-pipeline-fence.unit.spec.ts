import type { Pool } from 'pg';
import { maskCallerNumber } from '../call-tracking/domain/canonical';
import type { LinkFence } from '../link-lease/domain/link-fence';
import { INTERRUPTED, settledEvent, type Settlement } from '../routing-execution/domain/assignment-outcome';
import { LinkFencedError, LinkPipeline } from './link-pipeline';
import type { BatchContext, PipelineItem } from './prepare-batch';

const batch: BatchContext = {
  tenant: 't1', site: 'hq', protocol: 'asterisk-ami',
  decision: { pbxLinkId: 'ast1', ringCycleMs: 5000, defaultDialedNumber: '4008001234', identifyCaller: (n) => ({ hash: 'a'.repeat(64), masked: maskCallerNumber(n) }) },
};
const linkUp = (n: number): PipelineItem => ({ item: { kind: 'link-up', banner: `Asterisk ${n}`, endpoint: 'pbx:5038' }, receivedAtMs: Date.UTC(2026, 0, 1) + n });
const settlement = (eventId: string): Settlement => {
  const a = { eventId, callId: 'ast1:1700000000.1', agentId: '1001', queueId: 'sales', waitSeconds: 3 };
  return { kind: 'settlement', event: settledEvent(a, 'ast1', INTERRUPTED, Date.UTC(2026, 0, 1)), causationid: eventId, correlationid: eventId, execution: { eventId, status: 'failed', reason: 'outcome unknown', action: null } };
};
const fencedError = () => Object.assign(new Error('division by zero'), { code: '22012' });
const unreachable = () => Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });

/** A pool whose reads find an empty link and whose batch writes answer with `outcomes` in turn (then succeed). */
function fakePool(outcomes: (() => Error)[]): { pool: Pool; writes: unknown[][] } {
  const writes: unknown[][] = [];
  const query = async (text: string, values: unknown[]) => {
    if (text.startsWith('select')) return { rows: [] };
    writes.push(values);
    const failure = outcomes.shift();
    if (failure !== undefined) throw failure();
    return { rows: [] };
  };
  return { pool: { query } as unknown as Pool, writes };
}

function fenceRecorder(): LinkFence & { reasons: string[] } {
  const reasons: string[] = [];
  return { pbxLinkId: 'ast1', epoch: '7', reasons, fenced: (reason) => { reasons.push(reason); } };
}

describe('LinkPipeline under a lease fence', () => {
  it('should carry its epoch in every batch statement, next to the link', async () => {
    const { pool, writes } = fakePool([]);
    const fence = fenceRecorder();
    const pipeline = await LinkPipeline.open({ pool, batch, fence, backpressure: () => undefined });
    pipeline.push(linkUp(1));
    await pipeline.flush();
    expect(writes.map((v) => v.slice(0, 2))).toEqual([['ast1', '7']]);
    expect([pipeline.fenced, pipeline.framesCommitted, fence.reasons]).toEqual([false, 1, []]);
  });

  it('should stop at a fenced batch: no retry, the queue dropped, the fence told once, nothing written afterwards', async () => {
    const { pool, writes } = fakePool([fencedError]);
    const fence = fenceRecorder();
    const pipeline = await LinkPipeline.open({ pool, batch, fence, backpressure: () => undefined, maxBatch: 1 });
    [1, 2].forEach((n) => pipeline.push(linkUp(n)));
    const waiting = pipeline.settle(settlement('e1'));
    await pipeline.flush();
    pipeline.push(linkUp(4));
    await pipeline.flush();
    await expect(waiting).rejects.toBeInstanceOf(LinkFencedError);
    await expect(pipeline.settle(settlement('e2'))).rejects.toBeInstanceOf(LinkFencedError);
    expect(writes).toHaveLength(1);
    expect([pipeline.fenced, pipeline.framesCommitted, pipeline.backlog]).toEqual([true, 0, 0]);
    expect(fence.reasons).toHaveLength(1);
    expect(fence.reasons[0]).toMatch(/epoch 7 is no longer current.*3 items not written/);
  });

  it('should keep retrying a batch Postgres could not take, without telling the fence', async () => {
    const { pool, writes } = fakePool([unreachable]);
    const fence = fenceRecorder();
    const errors: string[] = [];
    const pipeline = await LinkPipeline.open({ pool, batch, fence, backpressure: () => undefined, onWriteError: (e) => errors.push(e.message) });
    pipeline.push(linkUp(1));
    await pipeline.flush();
    expect([writes.length, errors, pipeline.fenced, pipeline.framesCommitted, fence.reasons]).toEqual([2, ['connect ECONNREFUSED'], false, 1, []]);
  });
});
