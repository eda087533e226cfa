import { decideLinkLease, initialLinkLease, type LinkLeaseEffect, type LinkLeaseInput, type LinkLeaseState } from '../domain/link-lease.decider';

/** What a lease runs: a PBX link opened (state read from Postgres) only once the lease is held, started, and stopped. */
export interface RunnableLink {
  start(): void;
  stop(): Promise<void>;
}

/** The lease as the runner needs it (PgAdvisoryLease in production). */
export interface LeasePort {
  tryAcquire(): Promise<boolean>;
  release(): Promise<void>;
}

export interface LeasedLinkOptions<L extends RunnableLink> {
  readonly pbxLinkId: string;
  readonly lease: LeasePort;
  readonly open: () => Promise<L>;
  readonly retryMs: number;
  /** After the link started (this replica is now the link's only active one). */
  readonly onActive: (link: L) => Promise<void>;
  /** Before the link stops (lease lost, or the gateway stops). */
  readonly onInactive: (link: L) => Promise<void>;
  readonly onActiveChanged?: (active: boolean) => void;
  readonly log?: (level: 'info' | 'warn', message: string, detail?: Record<string, unknown>) => void;
}

/**
 * Runs one PBX link under its lease: the decisions are the pure link-lease decider's, applied one input at a time;
 * this class only carries out their effects (open and start, stop, log, retry, release).
 */
export class LeasedLink<L extends RunnableLink> {
  private state: LinkLeaseState = initialLinkLease();
  private link: L | null = null;
  private retry: NodeJS.Timeout | null = null;
  private steps: Promise<void> = Promise.resolve();
  private askFailed = false;

  constructor(private readonly o: LeasedLinkOptions<L>) {}

  get status(): LinkLeaseState['status'] { return this.state.status; }
  get pbxLinkId(): string { return this.o.pbxLinkId; }

  /** The first attempt; resolves once this replica knows whether it is the link's active one or a standby. */
  begin(): Promise<void> { return this.attempt(); }

  /** The lease's session failed: the link is stopped at once, then the lease is asked for again. */
  lost(reason: string): void { void this.run(() => this.apply({ type: 'LeaseLost', reason })); }

  /** Stops the link (it flushes what it received) and gives the lease back, so a standby takes over at its next try. */
  stop(): Promise<void> {
    if (this.retry !== null) clearTimeout(this.retry);
    this.retry = null;
    return this.run(() => this.apply({ type: 'StopRequested' }));
  }

  private attempt(): Promise<void> {
    this.retry = null;
    return this.run(async () => {
      if (this.state.status !== 'standby') return;
      const input = await this.o.lease.tryAcquire().then(
        (acquired): LinkLeaseInput => (acquired ? { type: 'LeaseAcquired' } : { type: 'LeaseRefused' }),
        (e: Error): LinkLeaseInput => ({ type: 'LeaseLost', reason: `lease not asked: ${e.message}` }),
      );
      // Logged when Postgres stops answering, not at every retry while it stays away.
      if (input.type === 'LeaseLost' && !this.askFailed) this.o.log?.('warn', 'PBX link lease cannot be asked for; retrying', { pbxLinkId: this.o.pbxLinkId, reason: input.reason });
      this.askFailed = input.type === 'LeaseLost';
      await this.apply(input);
    });
  }

  // One input at a time, in arrival order: a loss noticed while the link is opening is applied once it is open.
  private run(step: () => Promise<void>): Promise<void> {
    const next = this.steps.then(step);
    this.steps = next.catch((e: Error) => this.o.log?.('warn', 'PBX link lease step failed', { pbxLinkId: this.o.pbxLinkId, error: e.message }));
    return next;
  }

  private async apply(input: LinkLeaseInput): Promise<void> {
    const { state, effects } = decideLinkLease(this.state, input);
    this.state = state;
    if (input.type === 'LeaseLost' && effects.includes('stop-link')) this.o.log?.('warn', 'PBX link lease lost: link stopped, this replica stands by', { pbxLinkId: this.o.pbxLinkId, reason: input.reason });
    for (const effect of effects) await this.perform(effect, input);
  }

  private async perform(effect: LinkLeaseEffect, input: LinkLeaseInput): Promise<void> {
    switch (effect) {
      case 'start-link': return this.startLink();
      case 'stop-link': return this.stopLink(input.type === 'LeaseLost');
      case 'announce-standby':
        this.o.log?.('info', 'PBX link standby: another replica holds its lease', { pbxLinkId: this.o.pbxLinkId, retrySeconds: this.o.retryMs / 1000 });
        return;
      case 'retry-later':
        if (this.state.status === 'standby') this.retry = setTimeout(() => void this.attempt(), this.o.retryMs);
        return;
      case 'release': return this.o.lease.release();
      default: {
        const _exhaustive: never = effect;
        return _exhaustive;
      }
    }
  }

  private async startLink(): Promise<void> {
    let link: L;
    try {
      link = await this.o.open();
    } catch (e) {
      // Held but unusable (its state could not be read): give it back rather than keep every replica from the PBX.
      await this.o.lease.release();
      return this.apply({ type: 'LeaseLost', reason: `link could not be opened: ${(e as Error).message}` });
    }
    this.link = link;
    link.start();
    this.o.log?.('info', 'PBX link lease acquired: this replica is the active one', { pbxLinkId: this.o.pbxLinkId });
    this.o.onActiveChanged?.(true);
    await this.o.onActive(link);
  }

  private async stopLink(leaseLost: boolean): Promise<void> {
    const link = this.link;
    this.link = null;
    if (link === null) return;
    this.o.onActiveChanged?.(false);
    if (!leaseLost) {
      // An orderly stop lets what depends on the link (assignments in flight) finish first.
      await this.o.onInactive(link);
      return link.stop();
    }
    // Without the lease the PBX connection closes at once; what it received is still flushed while the rest stops.
    const stopping = link.stop();
    await this.o.onInactive(link);
    await stopping;
  }
}
