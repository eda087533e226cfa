import {
  createEnvelope, encodePbxRawFrame, PbxLinkDown, PbxLinkUp, systemEnvelopeDeps, toKafkaRecord, Topics, type AnyEvent, type PbxFrameProtocol,
} from '@switchboard/contracts';
import type { OutboxMessage } from '@switchboard/eventsourcing';
import type { AmiParsed } from '../ami/domain/ami-frame';
import { translateAmiEvent } from '../ami/domain/ami-vendor-events';
import type { CallCenterTracker } from '../call-tracking/domain/call-center.tracker';
import { decided, secondsBetween, type Decided, type DecisionContext } from '../call-tracking/domain/canonical';

export type LinkSignal = { readonly kind: 'link-up'; readonly banner: string; readonly endpoint: string } | { readonly kind: 'link-down'; readonly reason: string; readonly endpoint: string };
export type PipelineItem = { readonly item: AmiParsed | LinkSignal; readonly receivedAtMs: number };

export interface LinkCounters { frameSequence: number; linkSequence: number; downSinceMs: number | null }

export interface PreparedBatch {
  readonly outbox: OutboxMessage[];
  readonly callers: { callId: string; number: string | null; hash: string }[];
  readonly changes: ReturnType<CallCenterTracker['takeChanges']>;
  readonly counters: LinkCounters;
  readonly parseErrors: { frameName: string; bytesDropped: number; sample: string }[];
  readonly canonicalCount: number;
}

export interface BatchContext {
  readonly tenant: string;
  readonly site: string;
  readonly protocol: PbxFrameProtocol;
  readonly decision: DecisionContext;
}

/**
 * Turns received items into the rows of one transaction: a raw-archive row per frame, canonical events (caused by
 * that frame), caller numbers, and the changed state. Computed once, so a failed write is retried with the same rows.
 */
export function prepareBatch(items: readonly PipelineItem[], tracker: CallCenterTracker, counters: LinkCounters, b: BatchContext): PreparedBatch {
  const out: PreparedBatch = { outbox: [], callers: [], changes: { calls: [], agents: [] }, counters: { ...counters }, parseErrors: [], canonicalCount: 0 };
  for (const { item, receivedAtMs } of items) {
    if (item.kind === 'error') { out.parseErrors.push(item); continue; }
    if (item.kind === 'link-up' || item.kind === 'link-down') { pushCanonical(out, [linkEvent(item, receivedAtMs, out.counters, b)], b, undefined); continue; }
    const frameId = systemEnvelopeDeps.newId();
    const raw = encodePbxRawFrame({
      id: frameId, tenant: b.tenant, site: b.site, pbxLinkId: b.decision.pbxLinkId, protocol: b.protocol,
      receivedAt: new Date(receivedAtMs).toISOString(), sequence: ++out.counters.frameSequence, payload: Buffer.from(item.raw),
    });
    out.outbox.push({ topic: Topics.telephonyPbxRaw.name, ...raw });
    if (item.kind !== 'frame') continue;
    for (const vendor of translateAmiEvent(item, receivedAtMs)) {
      if (vendor.type === 'CallerJoinedQueue') out.callers.push({ callId: `${b.decision.pbxLinkId}:${vendor.callKey}`, number: vendor.callerNumber, hash: b.decision.identifyCaller(vendor.callerNumber).hash });
      pushCanonical(out, tracker.apply(vendor), b, frameId);
    }
  }
  return { ...out, changes: tracker.takeChanges() };
}

function pushCanonical(out: PreparedBatch, events: readonly Decided[], b: BatchContext, causationid: string | undefined): void {
  for (const e of events) {
    const envelope = createEnvelope(e.definition, {
      service: 'telephony-gateway', site: b.site, tenant: b.tenant, subject: e.subject, sequence: e.sequence, data: e.data as never,
      time: new Date(e.at), ...(causationid === undefined ? {} : { causationid }),
    }, systemEnvelopeDeps);
    out.outbox.push(toKafkaRecord(envelope as AnyEvent));
    (out as { canonicalCount: number }).canonicalCount++;
  }
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
