import { createHash } from 'node:crypto';
import { Client, type ClientConfig } from 'pg';

/** The signed 64-bit advisory-lock key of one PBX link of one tenant, namespaced so no other lock in the database collides by chance. */
export function linkLeaseKey(tenant: string, pbxLinkId: string): string {
  return createHash('sha256').update(`switchboard.telephony-gateway.link-lease\0${tenant}\0${pbxLinkId}`).digest().readBigInt64BE(0).toString();
}

export interface AdvisoryLeaseOptions {
  /** Where the gateway's database is; the lease gets a connection of its own (a pooled one could be handed back, and the lock with it). */
  readonly connection: ClientConfig;
  readonly key: string;
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

  constructor(private readonly o: AdvisoryLeaseOptions) {}

  get isHeld(): boolean { return this.held; }

  /** One attempt: true when this session now holds the lock; throws when Postgres cannot be asked. */
  async tryAcquire(): Promise<boolean> {
    if (this.held) return true;
    const client = this.client ?? await this.connect();
    const acquired = await client.query<{ acquired: boolean }>('select pg_try_advisory_lock($1::bigint) as acquired', [this.o.key]).then(
      (r) => r.rows[0]?.acquired === true,
      (e: Error) => {
        // A session whose question went unanswered may still get the lock: it is closed, so nothing holds it unknowingly.
        this.fail(client, e.message);
        throw e;
      },
    );
    if (!acquired) return false;
    this.held = true;
    this.heartbeat = setInterval(() => { client.query('select 1').catch((e: Error) => this.fail(client, `lease check failed: ${e.message}`)); }, this.o.heartbeatMs);
    this.heartbeat.unref();
    return true;
  }

  /** Gives the lock back by closing its session. */
  async release(): Promise<void> {
    const client = this.client;
    this.held = false;
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
