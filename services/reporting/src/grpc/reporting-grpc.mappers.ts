import type { Timestamp } from '@switchboard/contracts/src/generated/google/protobuf/timestamp';
import type { KpiValue } from '@switchboard/contracts/src/generated/switchboard/reporting/v1/reporting_service';
import { InvalidArgumentError } from '@switchboard/domain-errors';
import type { KpiFigure } from '../kpis/domain/kpi-catalog';
import type { Range } from '../reports/application/report-reader';

export const toTimestamp = (d: Date): Timestamp => ({ seconds: String(Math.floor(d.getTime() / 1000)), nanos: (d.getTime() % 1000) * 1_000_000 });

// An unset message field arrives as null over gRPC (proto-loader `defaults`), as undefined over Connect.
const fromTimestamp = (t: Timestamp | undefined | null): Date | undefined =>
  t === undefined || t === null ? undefined : new Date(Number(t.seconds) * 1000 + Math.floor((t.nanos ?? 0) / 1_000_000));

export const toKpiValues = (figures: readonly KpiFigure[]): KpiValue[] =>
  figures.map((f) => ({ kpiId: f.kpiId, value: f.value, unit: f.unit, definitionVersion: f.definitionVersion }));

const MAX_RANGE_MS = 400 * 86_400_000;

export function instantOf(t: Timestamp | undefined, field: string): Date {
  const at = fromTimestamp(t);
  if (at === undefined || Number.isNaN(at.getTime())) {
    throw new InvalidArgumentError('REPORTING.INVALID_INSTANT', `${field} is required (a timestamp)`, [{ field, description: 'a google.protobuf.Timestamp' }]);
  }
  return at;
}

export function rangeOf(r: { start?: Timestamp; end?: Timestamp } | undefined): Range {
  const start = fromTimestamp(r?.start);
  const end = fromTimestamp(r?.end);
  if (start === undefined || end === undefined || !(start < end) || end.getTime() - start.getTime() > MAX_RANGE_MS) {
    throw new InvalidArgumentError('REPORTING.INVALID_RANGE', 'range needs a start before its end, at most 400 days apart',
      [{ field: 'range', description: 'start < end, span ≤ 400 days' }]);
  }
  return { start, end };
}

export function intervalSecondsOf(n: number): number {
  if (n === 0) return 1800;
  if (![900, 1800, 3600].includes(n)) {
    throw new InvalidArgumentError('REPORTING.INVALID_INTERVAL', 'interval must be 900, 1800 or 3600 seconds', [{ field: 'interval_seconds', description: '900, 1800 or 3600' }]);
  }
  return n;
}

export function periodUnitOf(p: string): 'day' | 'week' | 'month' {
  switch (p) {
    case 'PERIOD_DAY': return 'day';
    case 'PERIOD_WEEK': return 'week';
    case 'PERIOD_MONTH': return 'month';
    default: throw new InvalidArgumentError('REPORTING.INVALID_PERIOD', 'period must be day, week or month', [{ field: 'period', description: 'PERIOD_DAY, PERIOD_WEEK or PERIOD_MONTH' }]);
  }
}

export const nonEmpty = (ids: readonly string[] | undefined): readonly string[] | undefined => (ids && ids.length > 0 ? ids : undefined);

/** The period report's scope; unset (or 0 over Connect) is the queue scope the report had before. */
export function scopeOf(s: string | number | undefined | null): 'queue' | 'team' | 'site' | 'agent' {
  switch (s) {
    case undefined: case null: case 0: case 'REPORT_SCOPE_UNSPECIFIED': case 'REPORT_SCOPE_QUEUE': return 'queue';
    case 'REPORT_SCOPE_TEAM': return 'team';
    case 'REPORT_SCOPE_SITE': return 'site';
    case 'REPORT_SCOPE_AGENT': return 'agent';
    default: throw new InvalidArgumentError('REPORTING.INVALID_SCOPE', `scope ${String(s)} is not a report scope`,
      [{ field: 'scope', description: 'REPORT_SCOPE_QUEUE, REPORT_SCOPE_TEAM, REPORT_SCOPE_SITE or REPORT_SCOPE_AGENT' }]);
  }
}
