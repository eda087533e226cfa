/**
 * Runs tasks with at most `limit` at once, and the tasks of one key (a call) one after another in the order they
 * were given: assignments of different calls are independent PBX actions, those of one call must not overtake each
 * other. A task waiting for an earlier task of its key holds no slot.
 */
export class PerCallScheduler {
  private running = 0;
  private readonly slotWaiters: (() => void)[] = [];
  /** The last task given per key; removed once it is done and nothing followed it. */
  private readonly tails = new Map<string, Promise<void>>();
  private pendingCount = 0;
  private readonly pendingWaiters: { below: number; resolve: () => void }[] = [];

  constructor(private readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`concurrency must be a positive integer, got ${limit}`);
  }

  /** Tasks given and not finished (running, or waiting for a slot or for an earlier task of their key). */
  get pending(): number {
    return this.pendingCount;
  }

  /** Runs `task` after every earlier task of `key`, in a free slot; resolves when it is done (a failure rejects). */
  run(key: string, task: () => Promise<void>): Promise<void> {
    this.pendingCount++;
    const previous = this.tails.get(key) ?? Promise.resolve();
    const done = previous.then(() => this.inSlot(task));
    // The next task of the key waits for this one to end, however it ends.
    const settled = done.then(() => undefined, () => undefined);
    this.tails.set(key, settled);
    void settled.then(() => {
      if (this.tails.get(key) === settled) this.tails.delete(key);
      this.pendingCount--;
      this.releasePendingWaiters();
    });
    return done;
  }

  /** Resolves once fewer than `below` tasks are pending (backpressure for whoever gives tasks). */
  whenPendingBelow(below: number): Promise<void> {
    if (this.pendingCount < below) return Promise.resolve();
    return new Promise((resolve) => this.pendingWaiters.push({ below, resolve }));
  }

  private async inSlot(task: () => Promise<void>): Promise<void> {
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.slotWaiters.push(resolve));
    else this.running++;
    try {
      await task();
    } finally {
      // The slot passes straight to the next waiter, so `running` never exceeds the limit.
      const next = this.slotWaiters.shift();
      if (next) next();
      else this.running--;
    }
  }

  private releasePendingWaiters(): void {
    for (let i = this.pendingWaiters.length - 1; i >= 0; i--) {
      if (this.pendingCount < this.pendingWaiters[i].below) this.pendingWaiters.splice(i, 1)[0].resolve();
    }
  }
}
