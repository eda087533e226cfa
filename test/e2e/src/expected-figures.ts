import type { AgentTimeKpis, ContactKpis } from '@switchboard/pbx-simulator';

/**
 * The reporting figure the oracle predicts, KPI by KPI. Where the platform's definition differs from the oracle's on
 * purpose the mapping is spelled out here (and in docs/integrators/kpi-definitions.md, "Checked against the oracle"):
 *
 * 1. Queue timeouts. The oracle counts them apart (offered = answered + abandoned + timed out). Asterisk reports
 *    a queue timeout on AMI as `QueueCallerAbandon` (the simulator reproduces that), so the gateway emits
 *    CallAbandoned and reporting counts the call as abandoned: reporting abandoned = oracle abandoned + timed out.
 *    Every rate built on that count follows (abandon rates, Asterisk SL2, whose denominator then holds the timeouts).
 * 2. Ringing. The canonical agent states have no "ringing": an agent being offered a call is ready until answer, so
 *    reporting's ready-waiting time = oracle ready + ringing (the oracle's occupancy denominator holds both too).
 * 3. Not-ready reasons. The PBX's free-text pause reasons map to the canonical reason codes (Toilet → break).
 *
 * `tolerance` 0 = exactly equal (counts and rates of counts, both computed as n ÷ d × 100); durations within 1 s.
 */
export interface ExpectedFigure {
  readonly kpi: string;
  /** null = undefined for the bucket (a rate over nothing): reporting must leave the figure out. */
  readonly expected: number | null;
  readonly tolerance: number;
}

const pct = (n: number, d: number): number | null => (d > 0 ? (n / d) * 100 : null);
const scaled = (ratio: number | null): number | null => (ratio === null ? null : ratio * 100);
const exact = (kpi: string, expected: number | null): ExpectedFigure => ({ kpi, expected, tolerance: 0 });
const seconds = (kpi: string, expected: number | null): ExpectedFigure => ({ kpi, expected, tolerance: 1 });

/** Oracle pause reasons (simulator scenarios) → canonical NotReadyReason (telephony contracts). */
export const CANONICAL_REASON: Readonly<Record<string, string>> = { Break: 'break', Toilet: 'break', Meal: 'meal', Busy: 'busy', Meeting: 'meeting', Training: 'training' };

/** Contact KPIs of one bucket, for a queue or for the agent who answered. */
export function expectedCallFigures(k: ContactKpis): ExpectedFigure[] {
  const abandoned = k.abandoned + k.timedOut;
  return [
    exact('offered', k.offered),
    exact('answered', k.answered),
    exact('abandoned', abandoned),
    exact('short_abandoned', k.shortAbandoned),
    exact('answer_rate', scaled(k.answerRate)),
    exact('abandon_rate', k.timedOut === 0 ? scaled(k.abandonRate) : pct(abandoned, k.offered)),
    exact('abandon_rate_excl_short', k.timedOut === 0 ? scaled(k.abandonRateExcludingShort) : pct(abandoned - k.shortAbandoned, k.offered - k.shortAbandoned)),
    exact('service_level_asterisk', scaled(k.serviceLevelAsterisk)),
    // With timeouts counted as abandoned, SL2's denominator is every offered call: it equals the Connect variant.
    exact('service_level_asterisk_sl2', scaled(k.timedOut === 0 ? k.serviceLevel2Asterisk : k.serviceLevelConnect)),
    exact('service_level_connect', scaled(k.serviceLevelConnect)),
    seconds('asa', k.asaSeconds),
    seconds('longest_wait', k.offered > 0 ? k.longestWaitSeconds : null),
    seconds('aht', k.ahtSeconds),
    seconds('aht_without_acw', k.ahtWithoutAcwSeconds),
    seconds('average_talk', k.averageTalkSeconds),
    seconds('average_hold', k.averageHoldSeconds),
    seconds('average_acw', k.averageAcwSeconds),
    exact('transfers_per_call', k.answered > 0 ? k.transferred / k.answered : null),
    exact('ring_rule_violations', k.ringViolations),
    exact('hold_rule_violations', k.holdViolations),
  ];
}

/** One agent's state time in one bucket. */
export function expectedAgentTimeFigures(t: AgentTimeKpis): ExpectedFigure[] {
  const byReason: Record<string, number> = {};
  for (const [reason, s] of Object.entries(t.notReadySecondsByReason)) {
    const code = CANONICAL_REASON[reason] ?? 'busy';
    byReason[code] = (byReason[code] ?? 0) + s;
  }
  const ready = t.readySeconds + t.ringingSeconds;
  const busy = t.talkingSeconds + t.acwSeconds;
  // Occupancy is a ratio of durations: its tolerance is what 1 s on each of its two terms allows.
  const occupancyTolerance = busy + ready > 2 ? (100 * 2) / (busy + ready - 2) : 100;
  return [
    seconds('ready_waiting_time', ready),
    seconds('non_service_time', t.notReadySeconds),
    ...Object.entries(byReason).map(([code, s]) => seconds(`non_service_time.${code}`, s)),
    { kpi: 'occupancy', expected: scaled(t.occupancy), tolerance: occupancyTolerance },
  ];
}
