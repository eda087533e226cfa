import type { Pool } from 'pg';
import type { AmiFrame } from '../domain/ami-frame';
import type { AmiLinkConfig } from '../../config';
import type { CallerIdentity } from '../../call-tracking/domain/canonical';
import { LinkPipeline } from '../../publishing/link-pipeline';
import { AmiConnection } from './ami-connection';

export interface AmiLinkDeps {
  readonly pool: Pool;
  readonly tenant: string;
  readonly site: string;
  readonly identifyCaller: (n: string | null) => CallerIdentity;
  readonly log?: (level: 'info' | 'warn', message: string, detail?: Record<string, unknown>) => void;
  readonly backoff?: { initialMs: number; maxMs: number };
  /** Registry topic → topic written instead (tests). */
  readonly topicOverrides?: Readonly<Record<string, string>>;
}

export interface LinkStatus {
  readonly pbxLinkId: string;
  readonly protocol: 'asterisk-ami';
  readonly endpoint: string;
  readonly state: string;
  readonly banner: string;
  readonly lastError: string;
  readonly framesCommitted: number;
  readonly canonicalCommitted: number;
  readonly parseErrors: number;
  readonly backlog: number;
}

/** One Asterisk link: the TCP connection feeding the durable pipeline, plus link-up/down incidents. */
export class AmiLink {
  private constructor(readonly config: AmiLinkConfig, private readonly connection: AmiConnection, readonly pipeline: LinkPipeline) {}

  static async open(config: AmiLinkConfig, deps: AmiLinkDeps): Promise<AmiLink> {
    const endpoint = `${config.host}:${config.port}`;
    let connection: AmiConnection | null = null;
    let loggedParseError = false;
    const pipeline = await LinkPipeline.open({
      pool: deps.pool,
      batch: {
        tenant: deps.tenant, site: deps.site, protocol: 'asterisk-ami', topicOverrides: deps.topicOverrides,
        decision: { pbxLinkId: config.pbxLinkId, ringCycleMs: config.ringCycleMs, defaultDialedNumber: config.defaultDialedNumber, identifyCaller: deps.identifyCaller },
      },
      backpressure: (paused) => (paused ? connection?.pause() : connection?.resume()),
      onParseError: (e) => { if (!loggedParseError) deps.log?.('warn', 'AMI frame dropped', { ...e }); loggedParseError = true; },
      onWriteError: (e) => deps.log?.('warn', 'gateway database write failed; retrying', { error: e.message }),
    });
    connection = new AmiConnection({
      host: config.host, port: config.port, username: config.username, secret: config.secret, keepaliveMs: config.keepaliveMs, backoff: deps.backoff,
      onReceived: (item, receivedAtMs) => pipeline.push({ item, receivedAtMs }),
      onUp: (banner) => { deps.log?.('info', 'AMI link up', { endpoint, banner }); pipeline.push({ item: { kind: 'link-up', banner, endpoint }, receivedAtMs: Date.now() }); },
      onDown: (reason) => { deps.log?.('warn', 'AMI link down', { endpoint, reason }); pipeline.push({ item: { kind: 'link-down', reason, endpoint }, receivedAtMs: Date.now() }); },
    });
    return new AmiLink(config, connection, pipeline);
  }

  start(): void { this.connection.start(); }
  resync(): Promise<void> { return this.connection.resync(); }
  /** Sends one AMI action and resolves with its response (rejects when the link is down or the PBX stays silent). */
  send(action: readonly (readonly [string, string])[], timeoutMs?: number): Promise<AmiFrame> { return this.connection.send(action.map(([k, v]) => [k, v]), timeoutMs); }

  async stop(): Promise<void> {
    await this.connection.stop();
    await this.pipeline.flush();
  }

  status(): LinkStatus {
    const p = this.pipeline;
    return {
      pbxLinkId: this.config.pbxLinkId, protocol: 'asterisk-ami', endpoint: `${this.config.host}:${this.config.port}`, state: this.connection.state,
      banner: this.connection.banner, lastError: this.connection.lastError, framesCommitted: p.framesCommitted, canonicalCommitted: p.canonicalCommitted,
      parseErrors: p.parseErrors, backlog: p.backlog,
    };
  }
}
