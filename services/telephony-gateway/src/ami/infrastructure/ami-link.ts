import type { Pool } from 'pg';
import { channelVariableOf, headerOf, type AmiFrame, type AmiParsed } from '../domain/ami-frame';
import { CALLER_TIER_VARIABLE } from '../../call-tracking/domain/caller-tier';
import { callerTierWatch } from './caller-tier-watch';
import { translateAmiEvent } from '../domain/ami-vendor-events';
import type { AmiLinkConfig } from '../../config';
import type { CallerIdentity } from '../../call-tracking/domain/canonical';
import type { DropWatchConfig } from '../../call-tracking/domain/frequent-drops.decider';
import type { LinkFence } from '../../link-lease/domain/link-fence';
import { LinkPipeline, type PipelineOptions } from '../../publishing/link-pipeline';
import { linkStatusOf, type LinkStatus } from '../../publishing/link-status';
import { AmiConnection } from './ami-connection';
import { AmiResync, type ResyncResult } from './ami-resync';
import { MixMonitorFiles } from '../domain/mixmonitor-files';
import type { RecordingsConfig } from '../../call-tracking/infrastructure/recording-inspector';
import { RecordingWatch } from '../../call-tracking/infrastructure/recording-watch';
import { GatewayMetrics, type LinkMetrics } from './link-metrics';

export interface AmiLinkDeps {
  readonly pool: Pool;
  readonly tenant: string;
  readonly site: string;
  readonly identifyCaller: (n: string | null) => CallerIdentity;
  readonly log?: (level: 'info' | 'warn', message: string, detail?: Record<string, unknown>) => void;
  readonly backoff?: { initialMs: number; maxMs: number };
  /** Registry topic → topic written instead (tests). */
  readonly topicOverrides?: Readonly<Record<string, string>>;
  readonly metrics?: GatewayMetrics;
  /** PbxFrequentDropsDetected settings (DROP_ALERT_*). */
  readonly dropWatch?: DropWatchConfig;
  /** Where recordings are read (RECORDINGS_*); absent or null = recording stops are ignored. */
  readonly recordings?: RecordingsConfig | null;
  /** Raw frames stored as packed outbox rows (default true; ADR 0012). */
  readonly packRawFrames?: boolean;
  /** Batch size and back-pressure threshold of the link pipeline (defaults in LinkPipeline). */
  readonly pipeline?: Pick<PipelineOptions, 'maxBatch' | 'highWater'>;
}

/** How long the PBX stays silent before an agent whose call ended is taken to follow it with no pause. */
export const QUIET_SETTLE_MS = 500;

export type { LinkStatus } from '../../publishing/link-status';

/** One Asterisk link: the TCP connection feeding the durable pipeline, plus link-up/down incidents. */
export class AmiLink {
  private constructor(
    readonly config: AmiLinkConfig, private readonly connection: AmiConnection, readonly pipeline: LinkPipeline,
    private readonly metrics: LinkMetrics, private readonly resyncing: AmiResync, private readonly recordings: RecordingWatch | null,
  ) {}

  /** `fence`: the lease epoch the link's writes carry (ADR 0018). */
  static async open(config: AmiLinkConfig, deps: AmiLinkDeps, fence: LinkFence): Promise<AmiLink> {
    const endpoint = `${config.host}:${config.port}`;
    let connection: AmiConnection | null = null;
    let loggedParseError = false;
    // The socket is paused while the pipeline is too far behind or a resync comparison runs, resumed when neither holds.
    const holds = new Set<string>();
    const hold = (why: string, held: boolean) => {
      const before = holds.size > 0;
      if (held) holds.add(why);
      else holds.delete(why);
      if (before === holds.size > 0) return;
      if (holds.size > 0) connection?.pause();
      else connection?.resume();
    };
    const pipeline = await LinkPipeline.open({
      pool: deps.pool,
      fence,
      batch: {
        tenant: deps.tenant, site: deps.site, protocol: 'asterisk-ami', topicOverrides: deps.topicOverrides, dropWatch: deps.dropWatch,
        decision: {
          pbxLinkId: config.pbxLinkId, ringCycleMs: config.ringCycleMs, defaultDialedNumber: config.defaultDialedNumber, identifyCaller: deps.identifyCaller,
          recordings: deps.recordings != null,
        },
      },
      backpressure: (paused) => hold('backpressure', paused),
      quietSettleMs: QUIET_SETTLE_MS,
      packRawFrames: deps.packRawFrames,
      ...deps.pipeline,
      onParseError: (e) => { if (!loggedParseError) deps.log?.('warn', 'AMI frame dropped', { ...e }); loggedParseError = true; },
      onWriteError: (e) => deps.log?.('warn', 'gateway database write failed; retrying', { error: e.message }),
    });
    const metrics = (deps.metrics ?? new GatewayMetrics()).forLink({
      pbxLinkId: config.pbxLinkId, protocol: 'asterisk-ami', isUp: () => connection?.state === 'up', backlog: () => pipeline.backlog,
    });
    const checkTier = callerTierWatch(metrics, deps.log, config.pbxLinkId);
    const count = countReceived(metrics, checkTier);
    const recordings = deps.recordings == null ? null : new RecordingWatch({ pbxLinkId: config.pbxLinkId, config: deps.recordings, push: (i) => pipeline.push(i), metrics, log: deps.log });
    const files = new MixMonitorFiles();
    const observe = recordings === null ? undefined : (frame: AmiFrame, receivedAtMs: number) => {
      const stopped = files.observe(frame, receivedAtMs);
      if (stopped !== undefined) recordings.stopped(stopped);
    };
    const resyncs = new AmiResync({ pool: deps.pool, pbxLinkId: config.pbxLinkId, pipeline, hold: (held) => hold('resync', held), log: deps.log, observe, checkTier });
    connection = new AmiConnection({
      host: config.host, port: config.port, username: config.username, secret: config.secret, keepaliveMs: config.keepaliveMs, backoff: deps.backoff,
      onReceived: (item, receivedAtMs) => { count(item, receivedAtMs); resyncs.receive(item, receivedAtMs); },
      onUp: (banner) => { metrics.linkUp(); deps.log?.('info', 'AMI link up', { endpoint, banner }); pipeline.push({ item: { kind: 'link-up', banner, endpoint }, receivedAtMs: Date.now() }); },
      onDown: (reason) => { deps.log?.('warn', 'AMI link down', { endpoint, reason }); pipeline.push({ item: { kind: 'link-down', reason, endpoint }, receivedAtMs: Date.now() }); },
    });
    return new AmiLink(config, connection, pipeline, metrics, resyncs, recordings);
  }

  start(): void { this.connection.start(); }
  /** How many resyncs completed, and what the last corrected (the one after a reconnect runs by itself). */
  get resyncs(): { readonly completed: number; readonly last: ResyncResult | null } { return { completed: this.resyncing.completed, last: this.resyncing.last }; }

  /** Re-reads the PBX's lists and applies the differences to the tracked state; resolves with what was corrected. */
  async resync(timeoutMs = 30_000): Promise<ResyncResult> {
    const result = this.resyncing.nextResult();
    await this.connection.resync();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`resync of ${this.config.pbxLinkId} not complete in ${timeoutMs} ms`)), timeoutMs); });
    try {
      return await Promise.race([result, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
  /** Sends one AMI action and resolves with its response (rejects when the link is down or the PBX stays silent). */
  send(action: readonly (readonly [string, string])[], timeoutMs?: number): Promise<AmiFrame> { return this.connection.send(action.map(([k, v]) => [k, v]), timeoutMs); }

  async stop(): Promise<void> {
    await this.connection.stop();
    this.pipeline.close();
    await this.recordings?.settled();
    await this.pipeline.flush();
    this.metrics.closed();
  }

  status(): LinkStatus<'asterisk-ami'> {
    return linkStatusOf('asterisk-ami', { config: this.config, connection: this.connection, pipeline: this.pipeline });
  }
}

/**
 * Frames, parse errors by reason (an invalid caller tier is one), and events without a translation. An event name that ever translated is known
 * (a frame of it without the needed fields is not "unknown"), so only names not yet known are tried here.
 */
function countReceived(metrics: LinkMetrics, checkTier: (raw: string | undefined) => void): (item: AmiParsed, receivedAtMs: number) => void {
  const known = new Set<string>();
  return (item, receivedAtMs) => {
    if (item.kind === 'error') return metrics.parseError(item.reason);
    metrics.frameReceived();
    const name = item.kind === 'frame' ? headerOf(item, 'Event')?.toLowerCase() : undefined;
    if (item.kind === 'frame' && name === 'queuecallerjoin') checkTier(channelVariableOf(item, CALLER_TIER_VARIABLE));
    if (item.kind !== 'frame' || name === undefined || known.has(name)) return;
    if (translateAmiEvent(item, receivedAtMs).length > 0) known.add(name);
    else metrics.unknownEvent();
  };
}
