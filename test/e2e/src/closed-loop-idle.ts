import type { AgentIntervalRecord, ContactRecord } from '@switchboard/pbx-simulator';

type Span = readonly [number, number];

/** `spans` minus `cuts`, each a list of [from, to) spans. */
function subtract(spans: readonly Span[], cuts: readonly Span[]): Span[] {
  let out = [...spans];
  for (const [cf, ct] of cuts) {
    out = out.flatMap(([f, t]): Span[] => (ct <= f || cf >= t ? [[f, t]] : [...(cf > f ? [[f, cf] as Span] : []), ...(ct < t ? [[ct, t] as Span] : [])]));
  }
  return out;
}

/** Overlapping or touching spans merged, sorted. */
function union(spans: readonly Span[]): Span[] {
  const sorted = [...spans].sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [f, t] of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && f <= last[1]) last[1] = Math.max(last[1], t);
    else out.push([f, t]);
  }
  return out;
}

function intersect(a: readonly Span[], b: readonly Span[]): Span[] {
  return a.flatMap(([af, at]) => b.filter(([bf, bt]) => bf < at && bt > af).map(([bf, bt]): Span => [Math.max(af, bf), Math.min(at, bt)]));
}

export interface IdleBesideWaiting {
  readonly contactId: string;
  readonly queue: string;
  /** Longest stretch (simulated ms) the contact waited while an agent eligible for it was ready and idle. */
  readonly longestMs: number;
}

/**
 * From the simulator's ground truth: for each contact, the longest time it waited in the queue (not ringing, not in
 * the PBX's retry pause after a ring-no-answer) while some agent that routing could give it to sat ready. Eligible:
 * a member of the contact's queue as the PBX reported it to the platform, who has not let this contact ring out.
 */
export function idleBesideWaiting(
  contacts: readonly ContactRecord[], intervals: readonly AgentIntervalRecord[], membersOf: (queue: string) => readonly string[],
  retryMsOf: (queue: string) => number,
): IdleBesideWaiting[] {
  const ready = new Map<string, Span[]>();
  for (const i of intervals) if (i.state === 'ready' && i.endMs > i.startMs) ready.set(i.agentId, [...(ready.get(i.agentId) ?? []), [i.startMs, i.endMs]]);
  return contacts.map((c) => {
    const notWaiting = c.offers.map((o): Span => [o.startMs, o.endMs + (o.result === 'no-answer' ? retryMsOf(c.queue) : 0)]);
    const waiting = subtract([[c.queuedAtMs, c.queuedAtMs + c.waitMs]], notWaiting);
    const rangOut = new Set(c.offers.filter((o) => o.result === 'no-answer').map((o) => o.agentId));
    const idle = union(membersOf(c.queue).filter((a) => !rangOut.has(a)).flatMap((a) => ready.get(a) ?? []));
    const overlaps = intersect(waiting, idle);
    return { contactId: c.contactId, queue: c.queue, longestMs: Math.max(0, ...overlaps.map(([f, t]) => t - f)) };
  });
}
