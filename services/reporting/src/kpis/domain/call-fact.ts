import type { CallAggregate, KpiParameters } from './kpi';

/** One queue visit of a call as the call-facts projection stores it; times in epoch milliseconds. */
export interface CallFact {
  readonly callId: string;
  /** 1 = the call's first queue entry; caller identity (and so repeat calls) belongs to the first visit. */
  readonly queueVisit: number;
  readonly queueId: string;
  readonly callerHash: string | null;
  readonly queuedAtMs: number;
  readonly outcome: 'answered' | 'abandoned' | 'timed-out' | 'waiting';
  readonly waitSeconds: number;
  readonly ringCount: number;
  readonly talkSeconds: number;
  readonly holdSeconds: number;
  readonly holdCount: number;
  readonly longestHoldSeconds: number;
  readonly acwSeconds: number;
  /** Transfers made during this visit. */
  readonly transferCount: number;
  readonly releasedBy: 'caller' | 'agent' | 'system' | null;
}

const H = 3_600_000;

/**
 * The reference aggregation of queue visits into one bucket, the same rules the SQL read model applies.
 * `history` holds every call that may make one of `calls` a repeat (the 24 h before, the 72 h after).
 */
export function aggregateCalls(calls: readonly CallFact[], history: readonly CallFact[], p: KpiParameters): CallAggregate {
  const answered = calls.filter((c) => c.outcome === 'answered');
  const abandoned = calls.filter((c) => c.outcome === 'abandoned');
  const timedOut = calls.filter((c) => c.outcome === 'timed-out');
  const within = (list: readonly CallFact[]) => list.filter((c) => c.waitSeconds <= p.serviceLevelSeconds).length;
  const sum = (list: readonly CallFact[], f: (c: CallFact) => number) => list.reduce((s, c) => s + f(c), 0);
  const sameCaller = (c: CallFact, from: number, to: number) => c.queueVisit === 1 && c.callerHash !== null &&
    history.some((o) => o.callId !== c.callId && o.callerHash === c.callerHash && o.queuedAtMs > from && o.queuedAtMs <= to);
  return {
    offered: calls.filter((c) => c.outcome !== 'waiting').length,
    answered: answered.length,
    abandoned: abandoned.length,
    timedOut: timedOut.length,
    shortAbandoned: abandoned.filter((c) => c.waitSeconds < p.shortAbandonSeconds).length,
    answeredWithin: within(answered),
    abandonedWithin: within(abandoned),
    timedOutWithin: within(timedOut),
    answeredWaitSeconds: sum(answered, (c) => c.waitSeconds),
    longestWaitSeconds: calls.filter((c) => c.outcome !== 'waiting').reduce((m, c) => Math.max(m, c.waitSeconds), 0),
    talkSeconds: sum(answered, (c) => c.talkSeconds),
    holdSeconds: sum(answered, (c) => c.holdSeconds),
    acwSeconds: sum(answered, (c) => c.acwSeconds),
    transfers: sum(answered, (c) => c.transferCount),
    ringViolations: answered.filter((c) => c.ringCount > p.maxRings).length,
    holdViolations: answered.filter((c) => c.holdCount > p.maxHoldsPerCall || c.longestHoldSeconds > p.maxHoldSeconds).length,
    agentReleasedFirst: answered.filter((c) => c.releasedBy === 'agent' && c.transferCount === 0).length,
    agentReleasedAtTransfer: answered.filter((c) => c.releasedBy === 'agent' && c.transferCount > 0).length,
    repeat24h: calls.filter((c) => c.outcome !== 'waiting' && sameCaller(c, c.queuedAtMs - 24 * H, c.queuedAtMs - 1)).length,
    followedUp72h: answered.filter((c) => sameCaller(c, c.queuedAtMs, c.queuedAtMs + 72 * H)).length,
  };
}
