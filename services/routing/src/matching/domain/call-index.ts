import type { WaitingCall } from './live-state';
import { SortedList } from './sorted-list';

const byArrival = (a: WaitingCall, b: WaitingCall) =>
  a.enqueuedAt - b.enqueuedAt || (a.callId < b.callId ? -1 : a.callId > b.callId ? 1 : 0);

export interface Bucket {
  readonly queueId: string;
  readonly stepIndex: number;
  readonly callerTier: string | undefined;
  readonly calls: SortedList<WaitingCall>;
}

/**
 * Waiting calls bucketed by (queue, step, caller tier). Every call of a bucket shares its eligibility rules and,
 * because priority, ageing and tier head start are per queue and tier, its order is arrival order: the best call of
 * a bucket is its oldest one the agent has not rung out on. Buckets are also indexed by each queue of their step's
 * pool, so a freed agent looks only at buckets it could serve.
 */
export class WaitingCallIndex {
  private readonly buckets = new Map<string, Bucket>();
  private byPoolQueue: Map<string, Set<Bucket>> | null = null;

  constructor(private readonly poolOf: (queueId: string, stepIndex: number) => ReadonlySet<string>) {}

  changed(before: WaitingCall | undefined, after: WaitingCall | undefined): void {
    if (before !== undefined) this.bucket(before).calls.remove(before);
    if (after !== undefined) this.bucket(after).calls.insert(after);
  }

  configChanged(): void {
    this.byPoolQueue = null;
  }

  bucketsServedBy(queueIds: ReadonlySet<string>): Set<Bucket> {
    const index = this.poolIndex();
    const out = new Set<Bucket>();
    for (const q of queueIds) index.get(q)?.forEach((b) => out.add(b));
    return out;
  }

  private bucket(call: WaitingCall): Bucket {
    const id = call.callerTier === undefined ? `${call.queueId}#${call.stepIndex}` : `${call.queueId}#${call.stepIndex}#${call.callerTier}`;
    let b = this.buckets.get(id);
    if (b === undefined) {
      b = { queueId: call.queueId, stepIndex: call.stepIndex, callerTier: call.callerTier, calls: new SortedList(byArrival) };
      this.buckets.set(id, b);
      if (this.byPoolQueue !== null) this.addToPoolIndex(this.byPoolQueue, b);
    }
    return b;
  }

  private poolIndex(): Map<string, Set<Bucket>> {
    if (this.byPoolQueue === null) {
      this.byPoolQueue = new Map();
      for (const b of this.buckets.values()) this.addToPoolIndex(this.byPoolQueue, b);
    }
    return this.byPoolQueue;
  }

  private addToPoolIndex(index: Map<string, Set<Bucket>>, b: Bucket): void {
    for (const q of this.poolOf(b.queueId, b.stepIndex)) {
      let set = index.get(q);
      if (set === undefined) index.set(q, (set = new Set()));
      set.add(b);
    }
  }
}
