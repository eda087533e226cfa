/**
 * A KPI is versioned code: its formula in words, the aggregate fields it reads, the thresholds it depends on and a
 * pure compute function. Reports name the version a figure was computed under, so a changed definition gets a new
 * version and history can be recomputed side by side.
 */

/**
 * Contact figures of one bucket (interval, day, …) for one queue or agent. The unit is the queue visit: a call blindly
 * transferred back into a queue is counted again there, each visit in the bucket it entered the queue in. Every
 * counted visit has one outcome: answered, abandoned (the caller hung up) or timed out (the queue gave up and the
 * dial plan took the call elsewhere), so offered = answered + abandoned + timedOut.
 */
export interface CallAggregate {
  readonly offered: number;
  readonly answered: number;
  readonly abandoned: number;
  readonly timedOut: number;
  /** Abandoned with wait < shortAbandonSeconds. */
  readonly shortAbandoned: number;
  /** Answered with wait ≤ serviceLevelSeconds. */
  readonly answeredWithin: number;
  /** Abandoned with wait ≤ serviceLevelSeconds. */
  readonly abandonedWithin: number;
  /** Timed out with wait ≤ serviceLevelSeconds (a queue timeout shorter than the threshold). */
  readonly timedOutWithin: number;
  /** Sum of the waits of answered calls. */
  readonly answeredWaitSeconds: number;
  /** Longest wait of any visit, whatever its outcome. */
  readonly longestWaitSeconds: number;
  /** Sum over answered calls of talk from answer to release, hold included. */
  readonly talkSeconds: number;
  readonly holdSeconds: number;
  readonly acwSeconds: number;
  /** Transfers made during answered visits. */
  readonly transfers: number;
  readonly ringViolations: number;
  readonly holdViolations: number;
  /** Answered visits the agent released first (the caller should hang up first), hand-overs of a transfer not counted. */
  readonly agentReleasedFirst: number;
  /**
   * Answered visits whose agent release was the hand-over of a transfer made during the visit (the gateway ends the
   * transferring agent's part with `CallReleased(releasedBy: 'agent')`); counted as released first before v2.
   */
  readonly agentReleasedAtTransfer: number;
  /** Calls (first visits) whose caller (same caller hash) had already called in the 24 h before. */
  readonly repeat24h: number;
  /** Answered calls whose caller called again within the 72 h after: not resolved first time. */
  readonly followedUp72h: number;
}

/** Agent state time of one bucket, clipped to it. */
export interface AgentTimeAggregate {
  readonly readySeconds: number;
  readonly onCallSeconds: number;
  readonly wrapUpSeconds: number;
  /** Keyed by not-ready reason; `after-call-work` is handling time, not non-service time. */
  readonly notReadySeconds: Readonly<Record<string, number>>;
}

export interface KpiInput {
  readonly calls: CallAggregate;
  readonly agents: AgentTimeAggregate;
}

export interface KpiParameters {
  readonly serviceLevelSeconds: number;
  readonly shortAbandonSeconds: number;
  readonly maxRings: number;
  readonly maxHoldSeconds: number;
  readonly maxHoldsPerCall: number;
}

export const DEFAULT_KPI_PARAMETERS: KpiParameters = {
  serviceLevelSeconds: 20, shortAbandonSeconds: 5, maxRings: 2, maxHoldSeconds: 120, maxHoldsPerCall: 1,
};

export type KpiUnit = 'count' | 'percent' | 'seconds' | 'ratio';

export interface Kpi {
  readonly id: string;
  readonly version: number;
  readonly name: string;
  readonly unit: KpiUnit;
  /** The formula in words, with `{serviceLevelSeconds}`-style placeholders for thresholds. */
  readonly formula: string;
  /** Where the definition comes from (platform documentation or requirement id). */
  readonly source: string;
  readonly inputs: readonly string[];
  readonly thresholds: readonly (keyof KpiParameters)[];
  /** null when undefined for the bucket (e.g. a rate over zero calls). */
  compute(input: KpiInput, parameters: KpiParameters): number | null;
}

export const defineKpi = (k: Kpi): Kpi => Object.freeze({ ...k });

export const percent = (numerator: number, denominator: number): number | null =>
  denominator > 0 ? (numerator / denominator) * 100 : null;

export const mean = (sum: number, count: number): number | null => (count > 0 ? sum / count : null);

export const notReadyTotal = (a: AgentTimeAggregate, include: (reason: string) => boolean): number =>
  Object.entries(a.notReadySeconds).reduce((s, [reason, v]) => (include(reason) ? s + v : s), 0);

/** Handling time of agents: on a call (hold included), wrap-up, and not-ready for after-call work. */
export const agentHandlingSeconds = (a: AgentTimeAggregate): number =>
  a.onCallSeconds + a.wrapUpSeconds + notReadyTotal(a, (r) => r === AFTER_CALL_WORK);

export const AFTER_CALL_WORK = 'after-call-work';

/** Replaces `{name}` placeholders with the configured thresholds, for display. */
export function renderFormula(k: Kpi, p: KpiParameters): string {
  return k.formula.replace(/\{(\w+)\}/g, (m, name: string) => (name in p ? String(p[name as keyof KpiParameters]) : m));
}
