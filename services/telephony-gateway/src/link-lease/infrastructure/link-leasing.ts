import { hostname } from 'node:os';
import type { ClientConfig, Pool } from 'pg';
import { Counter, Gauge, Registry } from 'prom-client';
import type { LinkFence } from '../domain/link-fence';
import { LeasedLink, type RunnableLink } from './leased-link';
import { linkLeaseKey, PgAdvisoryLease } from './pg-advisory-lease';

/** LINK_LEASE_RETRY_SECONDS's default: how often a standby replica asks for a link's lease. */
export const DEFAULT_LINK_LEASE_RETRY_MS = 5000;

export interface LinkLeasingOptions {
  readonly pool: Pool;
  readonly tenant: string;
  readonly retryMs: number;
  readonly log?: (level: 'info' | 'warn', message: string, detail?: Record<string, unknown>) => void;
  readonly metrics?: Registry;
  /** Called when this replica starts holding its first link lease (true) and when it holds none any more (false). */
  readonly onHolding?: (holding: boolean) => Promise<void>;
  /** Recorded as the holder in gw_link_lease (default host name and process id). */
  readonly holder?: string;
}

export interface LeaseStatus {
  readonly pbxLinkId: string;
  readonly status: 'active' | 'standby' | 'stopped';
}

/** pg-pool keeps the configuration it builds its clients from; the lease's own client is built from the same. */
function connectionOf(pool: Pool): ClientConfig {
  return (pool as unknown as { readonly options: ClientConfig }).options;
}

/**
 * Every PBX link of this gateway replica under a lease of its own: exactly one replica per link connects to the
 * PBX. The link arrays handed to `hold` (and `activeLinks`) always list the links this replica runs now.
 */
export class LinkLeasing<L extends RunnableLink = RunnableLink> {
  private readonly leased: LeasedLink<L>[] = [];
  private readonly active: Gauge<'pbx_link_id'>;
  private readonly fencedWrites: Counter<'pbx_link_id'>;
  /** The links this replica holds now, whatever their protocol (routing's assignments run on these). */
  readonly activeLinks: L[] = [];

  constructor(private readonly o: LinkLeasingOptions) {
    const registry = o.metrics ?? new Registry();
    this.active = (registry.getSingleMetric('gateway_link_active') as Gauge<'pbx_link_id'> | undefined)
      ?? new Gauge({ name: 'gateway_link_active', help: '1 while this replica holds the PBX link\'s lease and runs the link, 0 while it stands by', labelNames: ['pbx_link_id'], registers: [registry] });
    this.fencedWrites = (registry.getSingleMetric('gateway_link_fenced_writes_total') as Counter<'pbx_link_id'> | undefined)
      ?? new Counter({
        name: 'gateway_link_fenced_writes_total', labelNames: ['pbx_link_id'], registers: [registry],
        help: 'Writes of a PBX link refused because another replica took its lease since (the link stopped, what it had not written was dropped)',
      });
  }

  /**
   * Runs the link under its lease; resolves after the first attempt (active, or standing by and retrying). `open` is
   * given the fence its writes must carry (the epoch of this holding of the lease).
   */
  async hold<K extends L>(pbxLinkId: string, open: (fence: LinkFence) => Promise<K>, into: K[]): Promise<void> {
    this.active.set({ pbx_link_id: pbxLinkId }, 0);
    const lease = new PgAdvisoryLease({
      connection: connectionOf(this.o.pool), key: linkLeaseKey(this.o.tenant, pbxLinkId), pbxLinkId, holder: this.o.holder ?? `${hostname()}:${process.pid}`,
      heartbeatMs: this.o.retryMs, onLost: (reason) => leased.lost(reason),
    });
    const leased: LeasedLink<K> = new LeasedLink<K>({
      pbxLinkId, lease, open: () => open(this.fenceOf(pbxLinkId, lease)), retryMs: this.o.retryMs, log: this.o.log,
      onActiveChanged: (active) => this.active.set({ pbx_link_id: pbxLinkId }, active ? 1 : 0),
      onActive: async (link) => {
        into.push(link);
        this.activeLinks.push(link);
        if (this.activeLinks.length === 1) await this.o.onHolding?.(true);
      },
      onInactive: async (link) => {
        remove(into, link);
        remove(this.activeLinks, link);
        if (this.activeLinks.length === 0) await this.o.onHolding?.(false);
      },
    });
    this.leased.push(leased as unknown as LeasedLink<L>);
    await leased.begin();
  }

  /** The fence of the lease just taken: a fenced write is reported once, then the link stops as on any lost lease. */
  private fenceOf(pbxLinkId: string, lease: PgAdvisoryLease): LinkFence {
    const epoch = lease.epoch;
    if (epoch === null) throw new Error(`the lease of ${pbxLinkId} is not held`);
    let reported = false;
    return {
      pbxLinkId, epoch,
      fenced: (reason) => {
        if (reported) return;
        reported = true;
        this.fencedWrites.inc({ pbx_link_id: pbxLinkId });
        this.o.log?.('warn', 'PBX link write fenced: another replica holds the link now; what was not written is dropped', { pbxLinkId, epoch, reason });
        lease.revoke(epoch, `write fenced: ${reason}`);
      },
    };
  }

  statuses(): LeaseStatus[] { return this.leased.map((l) => ({ pbxLinkId: l.pbxLinkId, status: l.status })); }

  /** Stops every link this replica runs and gives its leases back (a standby takes over at its next try). */
  async stop(): Promise<void> {
    for (const l of this.leased) await l.stop();
  }
}

function remove<T>(list: T[], item: T): void {
  const i = list.indexOf(item);
  if (i >= 0) list.splice(i, 1);
}
