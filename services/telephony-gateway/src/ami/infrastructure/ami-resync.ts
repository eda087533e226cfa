import type { Pool } from 'pg';
import type { AgentSession } from '../../call-tracking/domain/agent.state';
import type { CallState } from '../../call-tracking/domain/call.state';
import type { LinkPipeline } from '../../publishing/link-pipeline';
import type { PipelineItem } from '../../publishing/prepare-batch';
import { listedChannel, QueueListingCollector } from '../../resync/domain/ami-listing';
import { channelCorrections, queueCorrections, type Corrections, type ListedChannel, type TrackedState } from '../../resync/domain/resync-comparison';
import { CALLER_TIER_VARIABLE } from '../../call-tracking/domain/caller-tier';
import { channelVariableOf, headerOf, knownHeaderOf, type AmiFrame, type AmiParsed } from '../domain/ami-frame';
import { amiTimeMs, translateAmiEvent } from '../domain/ami-vendor-events';
import { MixMonitorFiles } from '../domain/mixmonitor-files';
import { withStoppedFile } from '../../call-tracking/domain/stopped-recording';
import { RESYNC_ACTION_PREFIX } from './ami-connection';

export interface ResyncResult { readonly callsCorrected: number; readonly agentsCorrected: number }

export interface AmiResyncDeps {
  readonly pool: Pool;
  readonly pbxLinkId: string;
  readonly pipeline: LinkPipeline;
  /** Holds the socket while a comparison runs (live events wait behind the corrections). */
  readonly hold: (held: boolean) => void;
  readonly log?: (level: 'info' | 'warn', message: string, detail?: Record<string, unknown>) => void;
  /**
   * Sees each frame as it goes on to the pipeline, in stream order (after any hold): recordings start from here. Set
   * only when recordings are read: a recording stop is then applied with its file, kept in the call's state.
   */
  readonly observe?: (frame: AmiFrame, receivedAtMs: number) => void;
  /**
   * Sees the raw SWITCHBOARD_CALLER_TIER of each caller the queue comparison re-creates (counts and samples invalid
   * values as for QueueCallerJoin; callers already tracked were checked when they joined).
   */
  readonly checkTier?: (raw: string | undefined) => void;
}

const QUEUE_ITEMS = new Set(['queueparams', 'queuemember', 'queueentry']);
/** How long the queue comparison waits for the channel list (the next list action, answered at once) for callers' tiers. */
export const TIER_WAIT_MS = 10_000;
/** Items received while waiting for the channel list kept at most; past it the comparison goes on without tiers. */
const MAX_WAITING_ITEMS = 50_000;

const isResyncItem = (f: AmiFrame) => headerOf(f, 'ActionID')?.startsWith(RESYNC_ACTION_PREFIX) === true;

/**
 * Sits between the AMI connection and the pipeline. The items of the resync list actions are archived raw but not
 * applied as events; when a list completes, everything before it is committed, the tracked state is read back and
 * compared with the list (resync/domain), and the corrections are applied at the list's place in the stream. Items
 * received meanwhile wait, so a live event after the list is never overtaken by a correction computed before it.
 */
export class AmiResync {
  private listing = new QueueListingCollector();
  private channels: AmiFrame[] = [];
  private waitingCallKeys = new Set<string>();
  private listedAgents = new Set<string>();
  private held: PipelineItem[] | null = null;
  private pbxNowMs = 0;
  private tally = { calls: new Set<string>(), agents: new Set<string>() };
  private waiters: ((r: ResyncResult) => void)[] = [];
  /** The files MixMonitor writes, per channel (as the link's inspection sees them): a stop event carries its file. */
  private readonly files = new MixMonitorFiles();
  /** A queue list complete, its comparison waiting for the channel list (callers' SWITCHBOARD_CALLER_TIER). */
  private awaiting: { complete: AmiFrame; receivedAtMs: number; timer: NodeJS.Timeout } | null = null;
  /** SWITCHBOARD_CALLER_TIER per channel Uniqueid, as the channel list (CoreShowChannel `ChanVariable`) shows it. */
  private tiers = new Map<string, string | undefined>();
  /** Resyncs completed on this link (after each connect, and on request) and what the last one corrected. */
  completed = 0;
  last: ResyncResult | null = null;

  constructor(private readonly d: AmiResyncDeps) {}

  /** Resolves with the corrections of the next complete resync (both list comparisons applied). */
  nextResult(): Promise<ResyncResult> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  receive(item: AmiParsed, receivedAtMs: number): void {
    if (this.held !== null) {
      this.held.push({ item, receivedAtMs });
      if (this.awaiting !== null) this.peek(item);
      return;
    }
    this.route(item, receivedAtMs);
  }

  private route(item: AmiParsed, receivedAtMs: number): void {
    if (item.kind !== 'frame') return this.d.pipeline.push({ item, receivedAtMs });
    this.d.observe?.(item, receivedAtMs);
    const stopped = this.d.observe === undefined ? undefined : this.files.observe(item, receivedAtMs);
    if (stopped !== undefined) {
      // The pending recording is persisted with its file in the stop's own statement: a restart can read it again.
      return this.d.pipeline.push({ item: { kind: 'translated', raw: item.raw, events: withStoppedFile(translateAmiEvent(item, receivedAtMs), stopped) }, receivedAtMs });
    }
    if (headerOf(item, 'Timestamp') !== undefined) this.pbxNowMs = Math.max(this.pbxNowMs, amiTimeMs(item, receivedAtMs));
    const id = headerOf(item, 'ActionID');
    if (id === undefined || !id.startsWith(RESYNC_ACTION_PREFIX)) return this.d.pipeline.push({ item, receivedAtMs });
    const event = headerOf(item, 'Event')?.toLowerCase();
    const archiveOnly = () => this.d.pipeline.push({ item: { kind: 'translated', raw: item.raw, events: [] }, receivedAtMs });
    if (headerOf(item, 'Ping') !== undefined) this.begin();
    if (event !== undefined && QUEUE_ITEMS.has(event)) { this.listing.add(item); return archiveOnly(); }
    if (event === 'coreshowchannel') { this.channels.push(item); return archiveOnly(); }
    if (event === 'queuestatuscomplete') return this.awaitTiers(item, receivedAtMs);
    if (event === 'coreshowchannelscomplete') return this.compare(item, receivedAtMs, 'channels');
    this.d.pipeline.push({ item, receivedAtMs });
  }

  /** A resync starts with a Ping whose reply carries the PBX clock: corrections are stamped with PBX time. */
  private begin(): void {
    this.listing = new QueueListingCollector();
    this.channels = [];
    this.tally = { calls: new Set(), agents: new Set() };
  }

  /**
   * Callers who joined a queue while the gateway was away are re-created from the queue list, whose entries carry no
   * channel variables; their SWITCHBOARD_CALLER_TIER is on the channel list that follows (CoreShowChannel `ChanVariable`,
   * manager.conf `channelvars`, as for QueueCallerJoin). Everything received after the queue list waits, unread by the
   * pipeline (the socket is not paused: the channel list must come in), until the channel list is complete; the
   * comparison is then applied at the queue list's place in the stream, so no live event overtakes it.
   */
  private awaitTiers(complete: AmiFrame, receivedAtMs: number): void {
    this.held = [];
    this.tiers = new Map();
    const timer = setTimeout(() => this.tiersKnown(), TIER_WAIT_MS);
    timer.unref();
    this.awaiting = { complete, receivedAtMs, timer };
  }

  private peek(item: AmiParsed): void {
    if ((this.held?.length ?? 0) > MAX_WAITING_ITEMS) return this.tiersKnown();
    if (item.kind !== 'frame' || !isResyncItem(item)) return;
    const event = headerOf(item, 'Event')?.toLowerCase();
    const uniqueid = knownHeaderOf(item, 'Uniqueid');
    if (event === 'coreshowchannel' && uniqueid !== undefined) this.tiers.set(uniqueid, channelVariableOf(item, CALLER_TIER_VARIABLE));
    if (event === 'coreshowchannelscomplete') this.tiersKnown();
  }

  private tiersKnown(): void {
    const a = this.awaiting;
    if (a === null) return;
    clearTimeout(a.timer);
    this.awaiting = null;
    this.compare(a.complete, a.receivedAtMs, 'queues');
  }

  private compare(complete: AmiFrame, receivedAtMs: number, list: 'queues' | 'channels'): void {
    this.held ??= [];
    this.d.hold(true);
    void this.correct(complete, receivedAtMs, list).finally(() => {
      const held = this.held ?? [];
      this.held = null;
      for (let i = 0; i < held.length; i++) {
        // A list completing among the held items holds again: the rest waits behind it.
        if (this.held !== null) {
          const rest = held.slice(i);
          (this.held as PipelineItem[]).push(...rest);
          if (this.awaiting !== null) {
            rest.forEach((r) => this.peek(r.item as AmiParsed));
            // Waiting for the channel list, which must be read: the socket goes on (the held items still wait).
            if (this.awaiting !== null) this.d.hold(false);
          }
          return;
        }
        this.route(held[i].item as AmiParsed, held[i].receivedAtMs);
      }
      if (this.held === null) this.d.hold(false);
    });
  }

  private async correct(complete: AmiFrame, receivedAtMs: number, list: 'queues' | 'channels'): Promise<void> {
    const atMs = this.pbxNowMs > 0 ? this.pbxNowMs : receivedAtMs;
    let corrections: Corrections = { events: [], agents: [], calls: [] };
    try {
      await this.d.pipeline.flush();
      const tracked = await this.tracked();
      if (list === 'queues') {
        const listing = this.listing.listing(this.tiers);
        this.waitingCallKeys = new Set(listing.waiting.map((w) => w.callKey));
        this.listedAgents = new Set(listing.members.map((m) => m.agentId));
        corrections = queueCorrections(tracked, listing, atMs);
        const recreated = new Set(corrections.calls);
        listing.waiting.filter((w) => recreated.has(w.callKey)).forEach((w) => this.d.checkTier?.(w.invalidCallerTier ?? w.callerTier));
      } else {
        const isAgentDevice = (agentId: string) => this.listedAgents.has(agentId) || tracked.agents.has(agentId);
        const channels = this.channels.map((f) => listedChannel(f, isAgentDevice)).filter((c): c is ListedChannel => c !== undefined);
        corrections = channelCorrections(tracked, channels, this.waitingCallKeys, atMs);
      }
    } catch (e) {
      this.d.log?.('warn', 'AMI resync comparison failed; the list is archived without corrections', { list, error: (e as Error).message });
    }
    this.d.pipeline.push({ item: { kind: 'translated', raw: complete.raw, events: corrections.events }, receivedAtMs });
    corrections.agents.forEach((a) => this.tally.agents.add(a));
    corrections.calls.forEach((c) => this.tally.calls.add(c));
    if (corrections.events.length > 0) this.d.log?.('info', 'AMI resync corrections', { list, agents: corrections.agents.length, calls: corrections.calls.length });
    if (list === 'channels') {
      const result = { callsCorrected: this.tally.calls.size, agentsCorrected: this.tally.agents.size };
      this.completed++;
      this.last = result;
      this.waiters.splice(0).forEach((w) => w(result));
    }
  }

  private async tracked(): Promise<TrackedState> {
    const { rows } = await this.d.pool.query<{ kind: string; subject: string; state: unknown }>(
      'select kind, subject, state from gw_subject_state where pbx_link_id = $1', [this.d.pbxLinkId]);
    return {
      calls: new Map(rows.filter((r) => r.kind === 'call').map((r) => [r.subject, r.state as CallState])),
      agents: new Map(rows.filter((r) => r.kind === 'agent').map((r) => [r.subject, r.state as AgentSession])),
    };
  }
}
