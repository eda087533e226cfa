import type { Pool } from 'pg';
import type { AgentSession } from '../../call-tracking/domain/agent.state';
import type { CallState } from '../../call-tracking/domain/call.state';
import type { LinkPipeline } from '../../publishing/link-pipeline';
import type { PipelineItem } from '../../publishing/prepare-batch';
import { listedChannel, QueueListingCollector } from '../../resync/domain/ami-listing';
import { channelCorrections, queueCorrections, type Corrections, type ListedChannel, type TrackedState } from '../../resync/domain/resync-comparison';
import { headerOf, type AmiFrame, type AmiParsed } from '../domain/ami-frame';
import { amiTimeMs } from '../domain/ami-vendor-events';
import { RESYNC_ACTION_PREFIX } from './ami-connection';

export interface ResyncResult { readonly callsCorrected: number; readonly agentsCorrected: number }

export interface AmiResyncDeps {
  readonly pool: Pool;
  readonly pbxLinkId: string;
  readonly pipeline: LinkPipeline;
  /** Holds the socket while a comparison runs (live events wait behind the corrections). */
  readonly hold: (held: boolean) => void;
  readonly log?: (level: 'info' | 'warn', message: string, detail?: Record<string, unknown>) => void;
  /** Sees each frame as it goes on to the pipeline, in stream order (after any hold): recordings start from here. */
  readonly observe?: (frame: AmiFrame, receivedAtMs: number) => void;
}

const QUEUE_ITEMS = new Set(['queueparams', 'queuemember', 'queueentry']);

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
  /** Resyncs completed on this link (after each connect, and on request) and what the last one corrected. */
  completed = 0;
  last: ResyncResult | null = null;

  constructor(private readonly d: AmiResyncDeps) {}

  /** Resolves with the corrections of the next complete resync (both list comparisons applied). */
  nextResult(): Promise<ResyncResult> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  receive(item: AmiParsed, receivedAtMs: number): void {
    if (this.held !== null) return void this.held.push({ item, receivedAtMs });
    this.route(item, receivedAtMs);
  }

  private route(item: AmiParsed, receivedAtMs: number): void {
    if (item.kind !== 'frame') return this.d.pipeline.push({ item, receivedAtMs });
    this.d.observe?.(item, receivedAtMs);
    if (headerOf(item, 'Timestamp') !== undefined) this.pbxNowMs = Math.max(this.pbxNowMs, amiTimeMs(item, receivedAtMs));
    const id = headerOf(item, 'ActionID');
    if (id === undefined || !id.startsWith(RESYNC_ACTION_PREFIX)) return this.d.pipeline.push({ item, receivedAtMs });
    const event = headerOf(item, 'Event')?.toLowerCase();
    const archiveOnly = () => this.d.pipeline.push({ item: { kind: 'translated', raw: item.raw, events: [] }, receivedAtMs });
    if (headerOf(item, 'Ping') !== undefined) this.begin();
    if (event !== undefined && QUEUE_ITEMS.has(event)) { this.listing.add(item); return archiveOnly(); }
    if (event === 'coreshowchannel') { this.channels.push(item); return archiveOnly(); }
    if (event === 'queuestatuscomplete') return this.compare(item, receivedAtMs, 'queues');
    if (event === 'coreshowchannelscomplete') return this.compare(item, receivedAtMs, 'channels');
    this.d.pipeline.push({ item, receivedAtMs });
  }

  /** A resync starts with a Ping whose reply carries the PBX clock: corrections are stamped with PBX time. */
  private begin(): void {
    this.listing = new QueueListingCollector();
    this.channels = [];
    this.tally = { calls: new Set(), agents: new Set() };
  }

  private compare(complete: AmiFrame, receivedAtMs: number, list: 'queues' | 'channels'): void {
    this.held = [];
    this.d.hold(true);
    void this.correct(complete, receivedAtMs, list).finally(() => {
      const held = this.held ?? [];
      this.held = null;
      for (let i = 0; i < held.length; i++) {
        // A list completing among the held items holds again: the rest waits behind it.
        if (this.held !== null) { (this.held as PipelineItem[]).push(...held.slice(i)); return; }
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
        const listing = this.listing.listing();
        this.waitingCallKeys = new Set(listing.waiting.map((w) => w.callKey));
        this.listedAgents = new Set(listing.members.map((m) => m.agentId));
        corrections = queueCorrections(tracked, listing, atMs);
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
