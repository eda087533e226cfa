import { createHash } from 'node:crypto';
import { Client, type ClientConfig } from 'pg';

/** The signed 64-bit advisory-lock key of one PBX link of one tenant, namespaced so no other lock in the database collides by chance. */
export function linkLeaseKey(tenant: string, pbxLinkId: string): string {
  return createHash('sha256').update(`switchboard.telephony-gateway.link-lease\0${tenant}\0${pbxLinkId}`).digest().readBigInt64BE(0).toString();
}

/**
 * Run by the lock's session right after taking it: the link's epoch moves on, so every write still carrying the
 * previous holder's epoch fails from now on (ADR 0018). Its row lock waits for a previous holder's write in flight.
 */
const BUMP_EPOCH = `insert into gw_link_lease (pbx_link_id, epoch, holder, acquired_at) values ($1, 1, $2, now())
  on conflict (pbx_link_id) do update set epoch = gw_link_lease.epoch + 1, holder = excluded.holder, acquired_at = excluded.acquired_at
  returning epoch`;

export interface AdvisoryLeaseOptions {
  /** Where the gateway's database is; the lease gets a connection of its own (a pooled one could be handed back, and the lock with it). */
  readonly connection: ClientConfig;
  readonly key: string;
  /** The link whose epoch (gw_link_lease) the holder bumps on taking the lock. */
  readonly pbxLinkId: string;
  /** Who holds it (recorded in gw_link_lease for operators). */
  readonly holder: string;
  /** While held, the session is checked this often (and a check taking longer fails it). */
  readonly heartbeatMs: number;
  /** The session holding the lock failed: the lock may already be someone else's. */
  readonly onLost: (reason: string) => void;
}

/**
 * A Postgres session-level advisory lock as a lease: held exactly as long as the session that took it lives. A
 * crashed or killed holder's session is closed by its kernel, so the lock is free at once; a silent network keeps it
 * until the server's TCP keepalive gives up, which this session shortens (see the runbook).
 */
export class PgAdvisoryLease {
  private client: Client | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private held = false;
  private currentEpoch: string | null = null;

  constructor(private readonly o: AdvisoryLeaseOptions) {}

  get isHeld(): boolean { return this.held; }
  /** The fencing epoch this session set when it took the lock; null while not held. */
  get epoch(): string | null { return this.currentEpoch; }

  /** One attempt: true when this session now holds the lock (and has bumped the link's epoch); throws when Postgres cannot be asked. */
  async tryAcquire(): Promise<boolean> {
    if (this.held) return true;
    const client = this.client ?? await this.connect();
    // A session whose question went unanswered may still get the lock (or the lock without the epoch): it is closed, so nothing holds it unknowingly.
    const failed = (e: Error): never => { this.fail(client, e.message); throw e; };
    const acquired = await client.query<{ acquired: boolean }>('select pg_try_advisory_lock($1::bigint) as acquired', [this.o.key]).then((r) => r.rows[0]?.acquired === true, failed);
    if (!acquired) return false;
    this.currentEpoch = await client.query<{ epoch: string }>(BUMP_EPOCH, [this.o.pbxLinkId, this.o.holder]).then((r) => r.rows[0].epoch, failed);
    this.held = true;
    this.heartbeat = setInterval(() => { client.query('select 1').catch((e: Error) => this.fail(client, `lease check failed: ${e.message}`)); }, this.o.heartbeatMs);
    this.heartbeat.unref();
    return true;
  }

  /**
   * A write carrying `epoch` was fenced: another replica took the lock, whatever this session believes. Closes the
   * session and reports the loss (once, as any other loss); a no-op once the lease moved on to a later epoch.
   */
  revoke(epoch: string, reason: string): void {
    if (this.client !== null && this.currentEpoch === epoch) this.fail(this.client, reason);
  }

  /** Gives the lock back by closing its session. */
  async release(): Promise<void> {
    const client = this.client;
    this.held = false;
    this.currentEpoch = null;
    this.client = null;
    this.stopHeartbeat();
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<Client> {
    const client = new Client({
      ...this.o.connection, application_name: 'telephony-gateway link lease', keepAlive: true, keepAliveInitialDelayMillis: 10_000, query_timeout: this.o.heartbeatMs,
    });
    client.on('error', (e) => this.fail(client, `lease connection failed: ${e.message}`));
    client.on('end', () => this.fail(client, 'lease connection closed'));
    try {
      await client.connect();
      // The server frees a dead holder's lock only once it notices the peer is gone: seconds, not the OS's two hours.
      await client.query('set tcp_keepalives_idle = 10; set tcp_keepalives_interval = 5; set tcp_keepalives_count = 3');
    } catch (e) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      throw e;
    }
    this.client = client;
    return client;
  }

  private fail(client: Client, reason: string): void {
    if (client !== this.client) return;
    const wasHeld = this.held;
    this.held = false;
    this.currentEpoch = null;
    this.client = null;
    this.stopHeartbeat();
    client.end().catch(() => undefined);
    if (wasHeld) this.o.onLost(reason);
  }

  private stopHeartbeat(): void {
    if (this.heartbeat !== null) clearInterval(this.heartbeat);
    this.heartbeat = null;
  }
}
