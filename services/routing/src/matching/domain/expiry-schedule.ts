/** When each waiting call's current step expires: a binary min-heap with lazy deletion (stale entries are skipped). */
export interface Expiry {
  readonly at: number;
  readonly callId: string;
  readonly stepIndex: number;
  readonly queueId: string;
}

export class ExpirySchedule {
  private readonly heap: Expiry[] = [];

  push(e: Expiry): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(h[i], h[parent])) break;
      [h[i], h[parent]] = [h[parent], h[i]];
      i = parent;
    }
  }

  /** The heap as it is (snapshots keep it whole, stale entries included). */
  entries(): readonly Expiry[] {
    return this.heap;
  }

  /** Replaces the heap with `entries`, which must be a heap (as `entries()` returned it). */
  replaceWith(entries: readonly Expiry[]): void {
    this.heap.length = 0;
    for (const e of entries) this.heap.push(e);
  }

  /** When the earliest entry falls due (possibly a stale one); undefined when nothing is scheduled. */
  nextAt(): number | undefined {
    return this.heap[0]?.at;
  }

  /** The earliest entry due at or before `now`, removed; undefined when none is due. */
  popDue(now: number): Expiry | undefined {
    const h = this.heap;
    if (h.length === 0 || h[0].at > now) return undefined;
    const top = h[0];
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      this.siftDown();
    }
    return top;
  }

  private siftDown(): void {
    const h = this.heap;
    for (let i = 0; ;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && before(h[l], h[m])) m = l;
      if (r < h.length && before(h[r], h[m])) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m], h[i]];
      i = m;
    }
  }
}

const before = (a: Expiry, b: Expiry) => a.at < b.at || (a.at === b.at && a.callId < b.callId);
