/** What runs exactly while this replica runs a PBX link: the link's assignment consumer, its re-armed recordings. */
export interface LinkCompanion {
  stop(): Promise<void>;
}

export interface Companion<L> {
  readonly name: string;
  /** Called once the link has started; a failure is logged and retried (doubling, up to 30 s) while the link runs. */
  readonly start: (link: L) => Promise<LinkCompanion>;
}

export interface HeldLinkOptions<L> {
  readonly companions: readonly Companion<L>[];
  /** The link started (true) or is stopping (false): lists of running links follow this. */
  readonly onRunning: (link: L, running: boolean) => void;
  /** True when the link stops because its lease was lost rather than on request. */
  readonly leaseLost: () => boolean;
  readonly log?: (level: 'info' | 'warn', message: string, detail?: Record<string, unknown>) => void;
  /** First wait before a failed companion start is retried (default 1 s). */
  readonly retryInitialMs?: number;
}

const MAX_RETRY_MS = 30_000;

/**
 * A PBX link as its lease runs it (start, stop), with companions started after the link and stopped with it. On an
 * orderly stop the companions stop first (assignments in flight are answered and committed through the link); when
 * the lease was lost the link's PBX connection closes at once, the companions stopping meanwhile.
 */
export class HeldLink<L extends { start(): void; stop(): Promise<void>; readonly config: { readonly pbxLinkId: string } }> {
  private readonly running = new Map<string, LinkCompanion>();
  private readonly starting = new Set<Promise<void>>();
  private readonly retries = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(readonly link: L, private readonly o: HeldLinkOptions<L>) {}

  /** The companion started under this name, while it runs. */
  companion(name: string): LinkCompanion | undefined { return this.running.get(name); }

  start(): void {
    this.link.start();
    this.o.onRunning(this.link, true);
    for (const c of this.o.companions) this.startCompanion(c, 0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.retries.forEach((t) => clearTimeout(t));
    this.retries.clear();
    this.o.onRunning(this.link, false);
    if (this.o.leaseLost()) {
      const stopping = this.link.stop();
      await this.stopCompanions();
      await stopping;
      return;
    }
    await this.stopCompanions();
    await this.link.stop();
  }

  private startCompanion(c: Companion<L>, attempt: number): void {
    const run = c.start(this.link).then(
      async (companion) => {
        if (this.stopped) return companion.stop();
        this.running.set(c.name, companion);
      },
      (e: Error) => {
        this.o.log?.('warn', `${c.name} could not start; retrying`, { pbxLinkId: this.link.config.pbxLinkId, attempt: attempt + 1, error: e.message });
        if (this.stopped) return;
        const timer = setTimeout(() => { this.retries.delete(timer); if (!this.stopped) this.startCompanion(c, attempt + 1); },
          Math.min(MAX_RETRY_MS, (this.o.retryInitialMs ?? 1000) * 2 ** attempt));
        this.retries.add(timer);
      },
    ).finally(() => this.starting.delete(run));
    this.starting.add(run);
  }

  private async stopCompanions(): Promise<void> {
    while (this.starting.size > 0) await Promise.all([...this.starting]);
    const companions = [...this.running.values()];
    this.running.clear();
    await Promise.all(companions.map((c) => c.stop().catch((e: Error) => this.o.log?.('warn', 'link companion did not stop cleanly', { pbxLinkId: this.link.config.pbxLinkId, error: e.message }))));
  }
}
