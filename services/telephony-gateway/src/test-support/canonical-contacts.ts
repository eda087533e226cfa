/** Test oracle helper: folds canonical call events (as read from Kafka) into one record per queue visit. */
export interface CanonicalContact {
  callId: string;
  callerHash: string;
  queue: string;
  queuedAtMs: number;
  outcome: 'answered' | 'abandoned' | 'open';
  agentId: string | null;
  waitSeconds: number | null;
  ringCount: number | null;
  holds: number;
  released: { talkSeconds: number; totalHoldSeconds: number; releasedBy: string } | null;
  transferred: boolean;
}

interface Ev { type: string; subject: string; time: string; sequence: number; data: Record<string, unknown> }

export function contactsFrom(events: readonly Ev[]): CanonicalContact[] {
  const byCall = new Map<string, Ev[]>();
  for (const e of events) byCall.set(e.subject, [...(byCall.get(e.subject) ?? []), e]);
  const out: CanonicalContact[] = [];
  for (const [callId, list] of byCall) {
    list.sort((a, b) => a.sequence - b.sequence);
    let hash = '';
    let current: CanonicalContact | null = null;
    for (const e of list) {
      const kind = e.type.split('.')[3];
      if (kind === 'offered') hash = String(e.data.callerHash);
      if (kind === 'queued') {
        current = { callId, callerHash: hash, queue: String(e.data.queueId), queuedAtMs: Date.parse(e.time), outcome: 'open', agentId: null, waitSeconds: null, ringCount: null, holds: 0, released: null, transferred: false };
        out.push(current);
      }
      if (current === null) continue;
      if (kind === 'answered') Object.assign(current, { outcome: 'answered', agentId: e.data.agentId, waitSeconds: e.data.waitSeconds, ringCount: e.data.ringCount });
      if (kind === 'abandoned') Object.assign(current, { outcome: 'abandoned', waitSeconds: e.data.waitSeconds });
      if (kind === 'held') current.holds++;
      if (kind === 'transferred') current.transferred = true;
      if (kind === 'released') current.released = { talkSeconds: Number(e.data.talkSeconds), totalHoldSeconds: Number(e.data.totalHoldSeconds), releasedBy: String(e.data.releasedBy) };
    }
  }
  return out;
}

/** Sequences per subject must be 1..n without gaps or repeats. */
export function sequenceProblems(events: readonly Ev[]): string[] {
  const seen = new Map<string, number[]>();
  for (const e of events) seen.set(e.subject, [...(seen.get(e.subject) ?? []), e.sequence]);
  const problems: string[] = [];
  for (const [subject, seqs] of seen) if (seqs.some((s, i) => s !== i + 1)) problems.push(`${subject}: ${seqs.join(',')}`);
  return problems;
}
