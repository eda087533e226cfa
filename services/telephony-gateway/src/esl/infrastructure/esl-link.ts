import { QUIET_SETTLE_MS, type AmiLinkDeps } from '../../ami/infrastructure/ami-link';
import { GatewayMetrics, type LinkMetrics } from '../../ami/infrastructure/link-metrics';
import type { LinkFence } from '../../link-lease/domain/link-fence';
import { LinkPipeline } from '../../publishing/link-pipeline';
import { linkStatusOf, type LinkStatus } from '../../publishing/link-status';
import { EslCallCenterTranslator } from '../domain/esl-callcenter-translator';
import { headerOf, knownHeaderOf, parseAgentList, parsePlainEvent, parseTierList, type EslParsed } from '../domain/esl-frame';
import { CALLER_TIER_VARIABLE } from '../../call-tracking/domain/caller-tier';
import { callerTierWatch } from '../../ami/infrastructure/caller-tier-watch';
import { AGENT_LIST_COMMAND, EslConnection, EVENT_SUBSCRIPTION, EVENT_SUBSCRIPTION_WITH_RECORDINGS, TIER_LIST_COMMAND } from './esl-connection';
import { RecordingWatch } from '../../call-tracking/infrastructure/recording-watch';
import type { EslLinkConfig } from './esl-settings';

export type EslLinkStatus = LinkStatus<'freeswitch-esl'>;

const QUEUE_JOINS = new Set(['member-queue-start', 'member-queue-resume']);

/** One FreeSWITCH link: event socket → mod_callcenter translation → the same durable pipeline as AMI. */
export class EslLink {
  /** Routing's assignments are carried out with event-socket `api uuid_transfer` commands. */
  readonly protocol = 'esl' as const;

  private constructor(
    readonly config: EslLinkConfig, private readonly connection: EslConnection, readonly pipeline: LinkPipeline,
    private readonly metrics: LinkMetrics, private readonly lastResyncAgents: () => number, private readonly recordings: RecordingWatch | null,
  ) {}

  /** `fence`: the lease epoch the link's writes carry (ADR 0018). */
  static async open(config: EslLinkConfig, deps: AmiLinkDeps, fence: LinkFence): Promise<EslLink> {
    const endpoint = `${config.host}:${config.port}`;
    const translator = new EslCallCenterTranslator();
    let connection: EslConnection | null = null;
    let loggedParseError = false;
    const pipeline = await LinkPipeline.open({
      pool: deps.pool,
      fence,
      batch: {
        tenant: deps.tenant, site: deps.site, protocol: 'freeswitch-esl', topicOverrides: deps.topicOverrides, dropWatch: deps.dropWatch,
        decision: {
          pbxLinkId: config.pbxLinkId, ringCycleMs: config.ringCycleMs, defaultDialedNumber: config.defaultDialedNumber, identifyCaller: deps.identifyCaller,
          recordings: deps.recordings != null,
        },
      },
      backpressure: (paused) => (paused ? connection?.pause() : connection?.resume()),
      quietSettleMs: QUIET_SETTLE_MS,
      packRawFrames: deps.packRawFrames,
      ...deps.pipeline,
      onParseError: (e) => { if (!loggedParseError) deps.log?.('warn', 'event-socket frame dropped', { ...e }); loggedParseError = true; },
      onWriteError: (e) => deps.log?.('warn', 'gateway database write failed; retrying', { error: e.message }),
    });
    const metrics = (deps.metrics ?? new GatewayMetrics()).forLink({
      pbxLinkId: config.pbxLinkId, protocol: 'freeswitch-esl', isUp: () => connection?.state === 'up', backlog: () => pipeline.backlog,
    });
    let resyncedAgents = 0;
    const checkTier = callerTierWatch(metrics, deps.log, config.pbxLinkId);
    const recordings = deps.recordings == null ? null : new RecordingWatch({ pbxLinkId: config.pbxLinkId, config: deps.recordings, push: (i) => pipeline.push(i), metrics, log: deps.log });
    const translate = (item: EslParsed & { kind: 'frame' }, at: number, answered: string | undefined) => {
      if (item.contentType === 'text/event-plain') {
        const event = parsePlainEvent(item.body);
        if (QUEUE_JOINS.has(headerOf(event, 'CC-Action') ?? '')) checkTier(knownHeaderOf(event, `variable_${CALLER_TIER_VARIABLE}`));
        // The stop is read before its frame is pushed, and the file read takes longer: its outcome follows the frame.
        const stopped = recordings === null ? undefined : translator.stoppedRecording(event, at);
        if (stopped !== undefined) recordings?.stopped(stopped);
        const events = translator.translate(event, at);
        if (events.length === 0) metrics.unknownEvent();
        return events;
      }
      if (item.contentType === 'api/response' && answered === TIER_LIST_COMMAND) return translator.resyncTiers(parseTierList(item.body), at);
      if (item.contentType !== 'api/response' || answered !== AGENT_LIST_COMMAND) return [];
      const events = translator.resync(parseAgentList(item.body), at);
      resyncedAgents = new Set(events.flatMap((e) => ('agentId' in e ? [e.agentId] : []))).size;
      return events;
    };
    connection = new EslConnection({
      host: config.host, port: config.port, password: config.password, keepaliveMs: config.keepaliveMs, backoff: deps.backoff,
      subscription: recordings === null ? EVENT_SUBSCRIPTION : EVENT_SUBSCRIPTION_WITH_RECORDINGS,
      onReceived: (item, receivedAtMs, answered) => {
        if (item.kind === 'error') metrics.parseError(item.reason);
        else metrics.frameReceived();
        pipeline.push({ item: item.kind === 'error' ? item : { kind: 'translated', raw: item.raw, events: translate(item, receivedAtMs, answered) }, receivedAtMs });
      },
      onUp: (banner) => { metrics.linkUp(); deps.log?.('info', 'event-socket link up', { endpoint }); pipeline.push({ item: { kind: 'link-up', banner, endpoint }, receivedAtMs: Date.now() }); },
      onDown: (reason) => { deps.log?.('warn', 'event-socket link down', { endpoint, reason }); pipeline.push({ item: { kind: 'link-down', reason, endpoint }, receivedAtMs: Date.now() }); },
    });
    return new EslLink(config, connection, pipeline, metrics, () => resyncedAgents, recordings);
  }

  start(): void { this.connection.start(); }
  /**
   * Re-reads the agent list; agents whose listed status differed from the tracked one are corrected by the translator.
   * The event socket lists no calls (see the runbook), so no call is corrected here.
   */
  async resync(): Promise<{ callsCorrected: number; agentsCorrected: number }> {
    await this.connection.resync();
    return { callsCorrected: 0, agentsCorrected: this.lastResyncAgents() };
  }

  /** Sends one `api …` command line and resolves with FreeSWITCH's answer (`+OK …` / `-ERR …`). */
  api(command: string, timeoutMs?: number): Promise<string> { return this.connection.api(command, timeoutMs); }

  async stop(): Promise<void> {
    await this.connection.stop();
    this.pipeline.close();
    await this.recordings?.settled();
    await this.pipeline.flush();
    this.metrics.closed();
  }

  status(): EslLinkStatus {
    return linkStatusOf('freeswitch-esl', { config: this.config, connection: this.connection, pipeline: this.pipeline });
  }
}
