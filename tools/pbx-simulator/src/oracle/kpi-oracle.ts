/**
 * KPI oracle: computes interval and daily KPIs from the ground-truth log alone. It deliberately shares no code with
 * the platform (only the record types of the log it reads), so the reporting service can be checked against it.
 *
 * Definitions (see telephony-reference §1, §3.5 and requirements QA-07/QA-08):
 * - A contact belongs to the interval in which it entered the queue.
 * - offered = answered + abandoned + timed out. Short abandons (wait < shortAbandonSeconds) are reported separately.
 * - A queue timeout (the queue let a still-waiting caller go to the dial plan, outcome `timeout`) is offered, but
 *   neither answered nor abandoned: it counts in no abandon figure and in SL2 (answered + abandoned) not at all; only
 *   the Connect-style service level and the longest wait see it.
 * - serviceLevelAsterisk = answered within X / answered; serviceLevel2Asterisk = (answered + abandoned within X) /
 *   (answered + abandoned); serviceLevelConnect = removed from queue (answered, abandoned or timed out) within X / offered.
 * - ASA = mean wait of answered contacts (wait includes ring time). AHT = mean(talk + hold + ACW) of answered contacts;
 *   AHT without ACW = mean(talk + hold).
 * - occupancy = (talking incl. hold + ACW) / (talking + ACW + ready + ringing); not-ready time is excluded.
 * - ring violation: answered after more than 2 rings; hold violation: any hold longer than 2 min, or 2 or more holds.
 */
import type { AgentIntervalRecord, ContactRecord, GroundTruthRecord } from '../domain/ground-truth';

export interface OracleOptions {
  readonly intervalMinutes: 15 | 30 | 60;
  readonly serviceLevelSeconds: number;
  readonly shortAbandonSeconds: number;
  readonly maxRings: number;
  readonly maxHoldSeconds: number;
  readonly maxHoldsPerCall: number;
}

export const DEFAULT_ORACLE_OPTIONS: OracleOptions = {
  intervalMinutes: 30,
  serviceLevelSeconds: 20,
  shortAbandonSeconds: 5,
  maxRings: 2,
  maxHoldSeconds: 120,
  maxHoldsPerCall: 1,
};

export interface ContactKpis {
  readonly offered: number;
  readonly answered: number;
  readonly abandoned: number;
  readonly shortAbandoned: number;
  readonly timedOut: number;
  readonly answeredWithinThreshold: number;
  readonly answerRate: number | null;
  readonly abandonRate: number | null;
  /** Abandon rate with short abandons removed from numerator and denominator. */
  readonly abandonRateExcludingShort: number | null;
  readonly serviceLevelAsterisk: number | null;
  readonly serviceLevel2Asterisk: number | null;
  readonly serviceLevelConnect: number | null;
  readonly asaSeconds: number | null;
  readonly averageAbandonSeconds: number | null;
  readonly longestWaitSeconds: number;
  readonly ahtSeconds: number | null;
  readonly ahtWithoutAcwSeconds: number | null;
  readonly averageTalkSeconds: number | null;
  readonly averageHoldSeconds: number | null;
  readonly averageAcwSeconds: number | null;
  readonly transferred: number;
  readonly repeatCalls: number;
  readonly ringViolations: number;
  readonly holdViolations: number;
  readonly routingDecisionsMissed: number;
}

export interface AgentTimeKpis {
  readonly readySeconds: number;
  readonly ringingSeconds: number;
  readonly talkingSeconds: number;
  readonly acwSeconds: number;
  readonly notReadySeconds: number;
  readonly notReadySecondsByReason: Readonly<Record<string, number>>;
  readonly loggedInSeconds: number;
  readonly occupancy: number | null;
}

export interface KpiBucket {
  readonly startMs: number;
  readonly endMs: number;
  readonly total: ContactKpis;
  readonly byQueue: Readonly<Record<string, ContactKpis>>;
  readonly agents: AgentTimeKpis;
}

export interface KpiReport {
  readonly intervals: readonly KpiBucket[];
  readonly daily: KpiBucket;
}

export function computeKpis(records: readonly GroundTruthRecord[], options: OracleOptions = DEFAULT_ORACLE_OPTIONS): KpiReport {
  const contacts = records.filter((r): r is ContactRecord => r.kind === 'contact');
  const intervals = records.filter((r): r is AgentIntervalRecord => r.kind === 'agent-interval');
  const span = observedSpan(contacts, intervals);
  const size = options.intervalMinutes * 60_000;
  const firstStart = Math.floor(span.startMs / size) * size;
  const bucketCount = Math.max(0, Math.ceil((span.endMs - firstStart) / size));
  const contactsByBucket = Array.from({ length: bucketCount }, (): ContactRecord[] => []);
  for (const c of contacts) contactsByBucket[Math.floor((c.queuedAtMs - firstStart) / size)].push(c);
  const intervalsByBucket = Array.from({ length: bucketCount }, (): AgentIntervalRecord[] => []);
  for (const i of intervals) {
    const last = Math.min(bucketCount - 1, Math.floor((i.endMs - 1 - firstStart) / size));
    for (let b = Math.floor((i.startMs - firstStart) / size); b <= last; b++) intervalsByBucket[b].push(i);
  }
  const buckets = contactsByBucket.map((list, b) =>
    bucketKpis(list, intervalsByBucket[b], firstStart + b * size, firstStart + (b + 1) * size, options),
  );
  return { intervals: buckets, daily: bucketKpis(contacts, intervals, span.startMs, span.endMs, options) };
}

function observedSpan(contacts: readonly ContactRecord[], intervals: readonly AgentIntervalRecord[]): { startMs: number; endMs: number } {
  let startMs = Infinity;
  let endMs = -Infinity;
  for (const c of contacts) {
    startMs = Math.min(startMs, c.queuedAtMs);
    endMs = Math.max(endMs, c.queuedAtMs + 1);
  }
  for (const i of intervals) {
    startMs = Math.min(startMs, i.startMs);
    endMs = Math.max(endMs, i.endMs);
  }
  return startMs === Infinity ? { startMs: 0, endMs: 0 } : { startMs, endMs };
}

/** `contacts` are those that entered a queue in [startMs, endMs); `intervals` those overlapping it. */
function bucketKpis(
  contacts: readonly ContactRecord[],
  intervals: readonly AgentIntervalRecord[],
  startMs: number,
  endMs: number,
  options: OracleOptions,
): KpiBucket {
  const byQueue: Record<string, ContactKpis> = {};
  for (const queue of [...new Set(contacts.map((c) => c.queue))].sort()) {
    byQueue[queue] = contactKpis(contacts.filter((c) => c.queue === queue), options);
  }
  return { startMs, endMs, total: contactKpis(contacts, options), byQueue, agents: agentTimeKpis(intervals, startMs, endMs) };
}

export function contactKpis(contacts: readonly ContactRecord[], options: OracleOptions): ContactKpis {
  const thresholdMs = options.serviceLevelSeconds * 1000;
  const answered = contacts.filter((c) => c.outcome === 'answered');
  const abandoned = contacts.filter((c) => c.outcome === 'abandoned');
  const timedOut = contacts.filter((c) => c.outcome === 'timeout');
  const shortAbandoned = abandoned.filter((c) => c.waitMs < options.shortAbandonSeconds * 1000).length;
  const within = (list: readonly ContactRecord[]): number => list.filter((c) => c.waitMs <= thresholdMs).length;
  const answeredWithin = within(answered);
  const offered = contacts.length;
  return {
    offered,
    answered: answered.length,
    abandoned: abandoned.length,
    shortAbandoned,
    timedOut: timedOut.length,
    answeredWithinThreshold: answeredWithin,
    answerRate: ratio(answered.length, offered),
    abandonRate: ratio(abandoned.length, offered),
    abandonRateExcludingShort: ratio(abandoned.length - shortAbandoned, offered - shortAbandoned),
    serviceLevelAsterisk: ratio(answeredWithin, answered.length),
    serviceLevel2Asterisk: ratio(answeredWithin + within(abandoned), answered.length + abandoned.length),
    serviceLevelConnect: ratio(answeredWithin + within(abandoned) + within(timedOut), offered),
    asaSeconds: meanSeconds(answered.map((c) => c.waitMs)),
    averageAbandonSeconds: meanSeconds(abandoned.map((c) => c.waitMs)),
    longestWaitSeconds: contacts.reduce((max, c) => Math.max(max, c.waitMs), 0) / 1000,
    ahtSeconds: meanSeconds(answered.map((c) => c.talkMs + c.holdMs + c.acwMs)),
    ahtWithoutAcwSeconds: meanSeconds(answered.map((c) => c.talkMs + c.holdMs)),
    averageTalkSeconds: meanSeconds(answered.map((c) => c.talkMs)),
    averageHoldSeconds: meanSeconds(answered.map((c) => c.holdMs)),
    averageAcwSeconds: meanSeconds(answered.map((c) => c.acwMs)),
    transferred: answered.filter((c) => c.transfer !== null).length,
    repeatCalls: contacts.filter((c) => c.repeatOfCallId !== null && c.visit === 1).length,
    ringViolations: answered.filter((c) => (c.ringCount ?? 0) > options.maxRings).length,
    holdViolations: answered.filter((c) => violatesHoldRule(c, options)).length,
    routingDecisionsMissed: contacts.filter((c) => c.routingDecisionMissed).length,
  };
}

function violatesHoldRule(contact: ContactRecord, options: OracleOptions): boolean {
  return contact.holds.length > options.maxHoldsPerCall || contact.holds.some((h) => h.endMs - h.startMs > options.maxHoldSeconds * 1000);
}

export function agentTimeKpis(intervals: readonly AgentIntervalRecord[], startMs: number, endMs: number): AgentTimeKpis {
  const totals = { ready: 0, ringing: 0, talking: 0, acw: 0, 'not-ready': 0 };
  const byReason: Record<string, number> = {};
  for (const interval of intervals) {
    const overlap = Math.min(endMs, interval.endMs) - Math.max(startMs, interval.startMs);
    if (overlap <= 0) continue;
    totals[interval.state] += overlap;
    if (interval.state === 'not-ready') {
      const reason = interval.reason ?? '';
      byReason[reason] = (byReason[reason] ?? 0) + overlap / 1000;
    }
  }
  const busy = totals.talking + totals.acw;
  const loggedIn = busy + totals.ready + totals.ringing + totals['not-ready'];
  return {
    readySeconds: totals.ready / 1000,
    ringingSeconds: totals.ringing / 1000,
    talkingSeconds: totals.talking / 1000,
    acwSeconds: totals.acw / 1000,
    notReadySeconds: totals['not-ready'] / 1000,
    notReadySecondsByReason: byReason,
    loggedInSeconds: loggedIn / 1000,
    occupancy: ratio(busy, busy + totals.ready + totals.ringing),
  };
}

function ratio(numerator: number, denominator: number): number | null {
  return denominator > 0 ? numerator / denominator : null;
}

function meanSeconds(valuesMs: readonly number[]): number | null {
  return valuesMs.length === 0 ? null : valuesMs.reduce((s, v) => s + v, 0) / valuesMs.length / 1000;
}

/** Parses a ground-truth JSON Lines document. */
export function parseGroundTruth(jsonl: string): GroundTruthRecord[] {
  return jsonl
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as GroundTruthRecord);
}
