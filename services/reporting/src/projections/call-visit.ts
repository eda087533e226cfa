import type { AnyEvent } from '@switchboard/contracts';

/**
 * Call facts are kept per queue visit (a call blindly transferred back into a queue is offered there again, as the
 * telephony reference and the simulator's oracle count it). Queue-scoped events name their visit (`queueVisit`,
 * absent = 1); the offer belongs to the first visit. Hold, transfer, release and wrap-up events name none: they
 * belong to the visit the agent was handling at the time (see `resolveVisit`).
 */
export type VisitRef = { readonly visit: number } | { readonly agentId: string; readonly atMs: number };

/** What the projection already knows of one visit of the call. */
export interface KnownVisit {
  readonly visit: number;
  readonly agentId: string | null;
  readonly queuedAtMs: number | null;
}

export function visitRef(e: AnyEvent): VisitRef | undefined {
  switch (e.type) {
    case 'switchboard.telephony.call.offered.v1':
      return { visit: 1 };
    case 'switchboard.telephony.call.queued.v1':
    case 'switchboard.telephony.call.answered.v1':
    case 'switchboard.telephony.call.abandoned.v1':
      return { visit: e.data.queueVisit ?? 1 };
    case 'switchboard.telephony.call.queue-timed-out.v1':
      return { visit: e.data.queueVisit };
    case 'switchboard.telephony.call.resumed.v1':
    case 'switchboard.telephony.call.released.v1':
    case 'switchboard.telephony.call.wrap-up-completed.v1':
      return { agentId: e.data.agentId, atMs: Date.parse(e.time) };
    case 'switchboard.telephony.call.transferred.v1':
      return { agentId: e.data.fromAgentId, atMs: Date.parse(e.time) };
    default:
      return undefined;
  }
}

/**
 * The visit an event without a visit number belongs to: the latest visit, entered by then, that this agent
 * answered; else the latest visit entered by then; else the first. Events of one call share a Kafka key, so they
 * arrive in order and the visit's answer is known when its hold, release or wrap-up arrives; a republished copy
 * arriving later resolves to the same visit (visits entered later entered at or after its time); a wrap-up of the first agent that ends after the call re-entered a queue still goes to
 * the first visit.
 */
export function resolveVisit(known: readonly KnownVisit[], ref: VisitRef): number {
  if ('visit' in ref) return ref.visit;
  // Strictly before: nothing without a visit number happens at the instant a visit enters the queue (no one has
  // answered it yet), and a visit the event's own transfer opened at that same instant must not take the event
  // when it is republished later (call facts run without per-event id dedupe).
  const entered = known.filter((v) => v.queuedAtMs === null || v.queuedAtMs < ref.atMs);
  const latest = (list: readonly KnownVisit[]) => list.reduce((m, v) => Math.max(m, v.visit), 0);
  return latest(entered.filter((v) => v.agentId === ref.agentId)) || latest(entered) || 1;
}
