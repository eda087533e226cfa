import {
  agentTimeKpis, computeKpis, contactKpis, DEFAULT_ORACLE_OPTIONS,
  type AgentIntervalRecord, type ContactRecord, type GroundTruthRecord, type OracleOptions,
} from '@switchboard/pbx-simulator';
import type { BucketRow, ReportReader } from '@switchboard/reporting';
import { expectedAgentTimeFigures, expectedCallFigures, type ExpectedFigure } from './expected-figures';

export const INTERVAL_MINUTES = 30;
const ORACLE: OracleOptions = { ...DEFAULT_ORACLE_OPTIONS, intervalMinutes: INTERVAL_MINUTES };

export interface Mismatch {
  readonly interval: string;
  /** `queue <id>`, `agent <id>` or `agent <id> time`. */
  readonly scope: string;
  readonly kpi: string;
  readonly expected: number | null;
  readonly actual: number | null;
}

export interface Comparison {
  readonly mismatches: Mismatch[];
  /** Per KPI: how many (interval, scope) figures were compared and how many differed. */
  readonly tally: Map<string, { compared: number; failed: number }>;
}

/**
 * Known discrepancies (docs/integrators/kpi-definitions.md, "Checked against the oracle"), both about transferred calls:
 * - blind transfer: the call is re-queued. The oracle counts each queue visit as a contact (as Amazon Connect counts a
 *   transfer to a queue as a new contact); reporting keeps one call-facts row per call id, so the second visit is not
 *   offered in its queue and the first visit's talk, hold and ACW take the second's.
 * - attended transfer: the oracle's talk ends when the agent hands over; the canonical CallReleased counts talk to the
 *   end of the whole call (target's part included), and the transferring agent's after-call work is not counted.
 * Returns the (interval, scope) pairs whose call KPIs this touches: every visit's interval, queue and answering agent.
 */
export function transferScopes(truth: readonly GroundTruthRecord[]): Set<string> {
  const contacts = truth.filter((r): r is ContactRecord => r.kind === 'contact');
  const calls = new Set(contacts.filter((c) => c.transfer !== null).map((c) => c.callId));
  const size = INTERVAL_MINUTES * 60_000;
  const scopes = new Set<string>();
  for (const c of contacts.filter((x) => calls.has(x.callId))) {
    const interval = new Date(Math.floor(c.queuedAtMs / size) * size).toISOString();
    scopes.add(`${interval} queue ${c.queue}`);
    if (c.agentId) scopes.add(`${interval} agent ${c.agentId}`);
  }
  return scopes;
}

/** Agent state-time figures are not touched by the visit model (they come from agent events). */
export const isCallKpi = (kpi: string): boolean => !['ready_waiting_time', 'occupancy'].includes(kpi) && !kpi.startsWith('non_service_time');

export const describeMismatch = (m: Mismatch): string =>
  `${m.interval} ${m.scope} ${m.kpi}: expected ${m.expected ?? 'none'}, actual ${m.actual ?? 'none'}`;

type Bucket = { startMs: number; endMs: number };

/** The oracle's 30-minute buckets over the whole run, and the run's last instant (agents are clocked off there). */
function buckets(truth: readonly GroundTruthRecord[]): { list: Bucket[]; endMs: number } {
  const report = computeKpis(truth, ORACLE);
  const agentEnds = truth.filter((r): r is AgentIntervalRecord => r.kind === 'agent-interval').map((r) => r.endMs);
  return { list: report.intervals.map(({ startMs, endMs }) => ({ startMs, endMs })), endMs: Math.max(report.daily.endMs, ...agentEnds) };
}

/** Every figure reporting shows per interval and queue, and per interval and agent, against the oracle. */
export async function compareWithOracle(truth: readonly GroundTruthRecord[], reader: ReportReader, tenant: string): Promise<Comparison> {
  const contacts = truth.filter((r): r is ContactRecord => r.kind === 'contact');
  const intervals = truth.filter((r): r is AgentIntervalRecord => r.kind === 'agent-interval');
  const { list, endMs } = buckets(truth);
  const range = { start: new Date(list[0].startMs), end: new Date(endMs) };
  const seconds = INTERVAL_MINUTES * 60;
  const [queueRows, agentRows] = await Promise.all([reader.intervalReport(range, seconds), reader.agentReport(range, { tenant, intervalSeconds: seconds })]);
  const result: Comparison = { mismatches: [], tally: new Map() };
  const inBucket = (b: Bucket) => (c: ContactRecord) => c.queuedAtMs >= b.startMs && c.queuedAtMs < b.endMs;
  for (const b of list) {
    const label = new Date(b.startMs).toISOString();
    const bucketContacts = contacts.filter(inBucket(b));
    const queues = [...new Set(bucketContacts.map((c) => c.queue))];
    const agents = [...new Set([...bucketContacts.flatMap((c) => (c.outcome === 'answered' && c.agentId ? [c.agentId] : [])),
      ...intervals.filter((i) => i.startMs < b.endMs && i.endMs > b.startMs).map((i) => i.agentId)])];
    const rowsOf = (rows: BucketRow[]) => rows.filter((r) => r.bucketStart.getTime() === b.startMs);
    const check = (scope: string, key: string, rows: BucketRow[], expected: ExpectedFigure[]) =>
      compareFigures(result, label, scope, rows.find((r) => r.key === key), expected);
    for (const q of queues) check(`queue ${q}`, q, rowsOf(queueRows), expectedCallFigures(contactKpis(bucketContacts.filter((c) => c.queue === q), ORACLE)));
    for (const a of agents) {
      const answered = bucketContacts.filter((c) => c.outcome === 'answered' && c.agentId === a);
      // An agent may answer a call queued before they logged in: call figures, but no state time, in that interval.
      const own = intervals.filter((i) => i.agentId === a && i.startMs < b.endMs && i.endMs > b.startMs);
      const expected = [
        ...(answered.length > 0 ? expectedCallFigures(contactKpis(answered, ORACLE)) : []),
        ...(own.length > 0 ? expectedAgentTimeFigures(agentTimeKpis(own, b.startMs, Math.min(b.endMs, endMs))) : []),
      ];
      check(`agent ${a}`, a, rowsOf(agentRows), expected);
    }
    const known = new Set([...queues.map((q) => `queue ${q}`), ...agents.map((a) => `agent ${a}`)]);
    for (const r of rowsOf(queueRows)) if (!known.has(`queue ${r.key}`)) unexpected(result, label, `queue ${r.key}`);
    for (const r of rowsOf(agentRows)) if (!known.has(`agent ${r.key}`)) unexpected(result, label, `agent ${r.key}`);
  }
  return result;
}

function unexpected(result: Comparison, interval: string, scope: string): void {
  result.mismatches.push({ interval, scope, kpi: '(row the oracle does not have)', expected: null, actual: null });
}

function compareFigures(result: Comparison, interval: string, scope: string, row: BucketRow | undefined, expected: readonly ExpectedFigure[]): void {
  const actualOf = new Map((row?.figures ?? []).map((f) => [f.kpiId, f.value]));
  const checked = new Set<string>();
  for (const e of expected) {
    checked.add(e.kpi);
    const actual = actualOf.get(e.kpi) ?? null;
    const equal = e.expected === null || actual === null ? e.expected === actual : Math.abs(e.expected - actual) <= e.tolerance;
    record(result, e.kpi, equal, { interval, scope, kpi: e.kpi, expected: e.expected, actual });
  }
  // A per-reason non-service figure the oracle has no time for must be zero.
  for (const [kpi, actual] of actualOf) {
    if (kpi.startsWith('non_service_time.') && !checked.has(kpi)) record(result, kpi, Math.abs(actual) <= 1, { interval, scope, kpi, expected: 0, actual });
  }
}

function record(result: Comparison, kpi: string, equal: boolean, m: Mismatch): void {
  const family = kpi.startsWith('non_service_time.') ? 'non_service_time.<reason>' : kpi;
  const t = result.tally.get(family) ?? { compared: 0, failed: 0 };
  t.compared++;
  if (!equal) {
    t.failed++;
    result.mismatches.push(m);
  }
  result.tally.set(family, t);
}
