import {
  createKafkaRecord, encodePbxRawFrame, PbxFrequentDropsDetected, PbxLinkDown, PbxLinkUp, systemEnvelopeDeps, Topics, type PbxFrameProtocol,
} from '@switchboard/contracts';
import type { OutboxMessage } from '@switchboard/eventsourcing';
import { headerOf, type AmiParsed } from '../ami/domain/ami-frame';
import { translateAmiEvent } from '../ami/domain/ami-vendor-events';
import type { CallCenterTracker } from '../call-tracking/domain/call-center.tracker';
import {
  callEndsOf, DEFAULT_DROP_WATCH, initialDropWatch, watchDrops, type CallEnd, type DropWatchConfig, type DropWatchState,
} from '../call-tracking/domain/frequent-drops.decider';
import type { VendorEvent } from '../call-tracking/domain/vendor-events';
import type { EslParseError } from '../esl/domain/esl-frame';
import type { Settlement } from '../routing-execution/domain/assignment-outcome';
import { decided, secondsBetween, type Decided, type DecisionContext } from '../call-tracking/domain/canonical';

export type LinkSignal = { readonly kind: 'link-up'; readonly banner: string; readonly endpoint: string } | { readonly kind: 'link-down'; readonly reason: string; readonly endpoint: string };
/** A frame an adapter other than AMI already translated (event socket): archived raw, its vendor events applied. */
export type TranslatedFrame = { readonly kind: 'translated'; readonly raw: Uint8Array; readonly events: readonly VendorEvent[] };
/** The PBX has been quiet for a while: what follows the calls that ended is decided (nothing followed them). */
export type QuietTick = { readonly kind: 'quiet' };
/** Facts the gateway learnt itself, not a frame (a recording's file read): applied to the trackers, nothing archived. */
export type LearntFacts = { readonly kind: 'learnt'; readonly events: readonly VendorEvent[] };
export type PipelineItem = { readonly item: AmiParsed | LinkSignal | TranslatedFrame | EslParseError | Settlement | QuietTick | LearntFacts; readonly receivedAtMs: number };

export interface LinkCounters {
  frameSequence: number;
  linkSequence: number;
  downSinceMs: number | null;
  /** Recent call ends and drops for PbxFrequentDropsDetected (absent until the link's first call ends). */
  drops?: DropWatchState;
}

export interface PreparedBatch {
  readonly outbox: OutboxMessage[];
  readonly callers: { callId: string; number: string | null; hash: string }[];
  /** Caller channel per call (from QueueCallerJoin), so routing decisions can be executed with `Redirect`. */
  readonly channels: { callId: string; channel: string; joinedAtMs: number }[];
  readonly changes: ReturnType<CallCenterTracker['takeChanges']>;
  readonly counters: LinkCounters;
  readonly parseErrors: { frameName: string; bytesDropped: number; sample: string }[];
  readonly canonicalCount: number;
  /** Execution rows the batch's settlements update, committed with their outcome events. */
  readonly executions: Settlement['execution'][];
}

export interface BatchContext {
  readonly tenant: string;
  readonly site: string;
  readonly protocol: PbxFrameProtocol;
  readonly decision: DecisionContext;
  /** Registry topic name → the topic actually written (tests run against topics of their own). */
  readonly topicOverrides?: Readonly<Record<string, string>>;
  /** PbxFrequentDropsDetected settings (DROP_ALERT_*); default DEFAULT_DROP_WATCH. */
  readonly dropWatch?: DropWatchConfig;
}

const topicOf = (b: BatchContext, registryTopic: string): string => b.topicOverrides?.[registryTopic] ?? registryTopic;
const frameTime = isoTimeRemembered();
// PBX events of one instant (a call's end and the agent's next state) share their time.
const eventTime = isoTimeRemembered();

/**
 * Turns received items into the rows of one transaction: a raw-archive row per frame, canonical events (caused by
 * that frame), caller numbers, and the changed state. Computed once, so a failed write is retried with the same rows.
 */
export function prepareBatch(items: readonly PipelineItem[], tracker: CallCenterTracker, counters: LinkCounters, b: BatchContext): PreparedBatch {
  const out: PreparedBatch = { outbox: [], callers: [], channels: [], changes: { calls: [], agents: [] }, counters: { ...counters }, parseErrors: [], canonicalCount: 0, executions: [] };
  for (const { item, receivedAtMs } of items) {
    if (item.kind === 'error') { out.parseErrors.push(item); continue; }
    if (item.kind === 'link-up' || item.kind === 'link-down') { pushCanonical(out, [linkEvent(item, receivedAtMs, out.counters, b)], b, undefined); continue; }
    if (item.kind === 'settlement') { pushCanonical(out, tracker.apply(item.event), b, item.causationid, item.correlationid); out.executions.push(item.execution); continue; }
    if (item.kind === 'quiet') { pushCanonical(out, tracker.settleCompletions(), b, undefined); continue; }
    if (item.kind === 'learnt') { for (const e of item.events) pushCanonical(out, tracker.apply(e), b, undefined); continue; }
    const frameId = systemEnvelopeDeps.newId();
    const raw = encodePbxRawFrame({
      id: frameId, tenant: b.tenant, site: b.site, pbxLinkId: b.decision.pbxLinkId, protocol: b.protocol,
      receivedAt: frameTime(receivedAtMs), sequence: ++out.counters.frameSequence, payload: asBuffer(item.raw),
    });
    out.outbox.push({ key: raw.key, value: raw.value, headers: raw.headers, topic: topicOf(b, Topics.telephonyPbxRaw.name) });
    if (item.kind !== 'frame' && item.kind !== 'translated') continue;
    for (const vendor of item.kind === 'frame' ? translateAmiEvent(item, receivedAtMs) : item.events) {
      if (vendor.type === 'CallerJoinedQueue') {
        const callId = `${b.decision.pbxLinkId}:${vendor.callKey}`;
        out.callers.push({ callId, number: vendor.callerNumber, hash: b.decision.identifyCaller(vendor.callerNumber).hash });
        const channel = vendor.channel ?? (item.kind === 'frame' ? headerOf(item, 'Channel') : undefined); // FreeSWITCH: the member session
        if (channel !== undefined) out.channels.push({ callId, channel, joinedAtMs: receivedAtMs });
      }
      const events = tracker.apply(vendor);
      pushCanonical(out, events, b, frameId);
      for (const end of callEndsOf(events, vendor)) pushCanonical(out, watchLinkDrops(out.counters, end, b), b, frameId);
    }
  }
  return { ...out, changes: tracker.takeChanges() };
}

function pushCanonical(out: PreparedBatch, events: readonly Decided[], b: BatchContext, causationid: string | undefined, correlationid?: string): void {
  for (const e of events) {
    const record = createKafkaRecord(e.definition, {
      service: 'telephony-gateway', site: b.site, tenant: b.tenant, subject: e.subject, sequence: e.sequence, data: e.data as never,
      time: eventTime(e.at), ...(causationid === undefined ? {} : { causationid }), ...(correlationid === undefined ? {} : { correlationid }),
    }, systemEnvelopeDeps);
    out.outbox.push({ topic: topicOf(b, record.topic), key: record.key, value: record.value, headers: record.headers });
    (out as { canonicalCount: number }).canonicalCount++;
  }
}

/** Each call end feeds the link's drop watch; an episode of frequent drops is an incident in the link's sequence. */
function watchLinkDrops(counters: LinkCounters, end: CallEnd, b: BatchContext): Decided[] {
  const link = b.decision.pbxLinkId;
  const d = watchDrops(counters.drops ?? initialDropWatch(), end, link, b.dropWatch ?? DEFAULT_DROP_WATCH);
  counters.drops = d.state;
  return d.raise === null ? [] : [decided(PbxFrequentDropsDetected, link, ++counters.linkSequence, end.at, d.raise)];
}

function linkEvent(s: LinkSignal, atMs: number, counters: LinkCounters, b: BatchContext): Decided {
  const link = b.decision.pbxLinkId;
  const sequence = ++counters.linkSequence;
  if (s.kind === 'link-down') {
    counters.downSinceMs = counters.downSinceMs ?? atMs;
    return decided(PbxLinkDown, link, sequence, atMs, { pbxLinkId: link, protocol: b.protocol, endpoint: s.endpoint, reason: s.reason.slice(0, 512) || 'unknown' });
  }
  const downtimeSeconds = counters.downSinceMs === null ? 0 : secondsBetween(counters.downSinceMs, atMs);
  counters.downSinceMs = null;
  return decided(PbxLinkUp, link, sequence, atMs, { pbxLinkId: link, protocol: b.protocol, endpoint: s.endpoint, banner: s.banner, downtimeSeconds });
}

/** Epoch ms → ISO 8601, remembering the last one: frames read from one socket chunk share their receive time. */
function isoTimeRemembered(): (ms: number) => string {
  let lastMs = Number.NaN;
  let lastIso = '';
  return (ms) => {
    if (ms !== lastMs) {
      lastIso = new Date(ms).toISOString();
      lastMs = ms;
    }
    return lastIso;
  };
}

/** The frame's bytes as a Buffer without copying them (each frame owns its bytes; nothing writes to them later). */
function asBuffer(raw: Uint8Array): Buffer {
  return Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
}
