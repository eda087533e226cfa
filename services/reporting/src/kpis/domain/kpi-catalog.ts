import { abandonRate } from './abandon-rate.kpi';
import { abandonRateExcludingShort } from './abandon-rate-excluding-short.kpi';
import { abandoned } from './abandoned.kpi';
import { aht } from './aht.kpi';
import { ahtWithoutAcw } from './aht-without-acw.kpi';
import { answerRate } from './answer-rate.kpi';
import { answered } from './answered.kpi';
import { asa } from './asa.kpi';
import { averageAcw } from './average-acw.kpi';
import { averageHold } from './average-hold.kpi';
import { averageTalk } from './average-talk.kpi';
import { firstCallResolution } from './first-call-resolution.kpi';
import { holdRuleViolations } from './hold-rule-violations.kpi';
import { AFTER_CALL_WORK, Kpi, KpiInput, KpiParameters, KpiUnit, renderFormula } from './kpi';
import { longestWait } from './longest-wait.kpi';
import { nonServiceTime } from './non-service-time.kpi';
import { occupancy } from './occupancy.kpi';
import { offered } from './offered.kpi';
import { readyWaitingTime } from './ready-waiting-time.kpi';
import { releasedFirstViolations, releasedFirstViolationsV1 } from './released-first-violations.kpi';
import { repeatCallerRate } from './repeat-caller-rate.kpi';
import { ringRuleViolations } from './ring-rule-violations.kpi';
import { serviceLevelAsterisk } from './service-level-asterisk.kpi';
import { serviceLevelAsteriskSl2 } from './service-level-asterisk-sl2.kpi';
import { serviceLevelConnect, serviceLevelConnectV1 } from './service-level-connect.kpi';
import { shortAbandoned } from './short-abandoned.kpi';
import { timedOut } from './timed-out.kpi';
import { transfersPerCall } from './transfers-per-call.kpi';
import { utilization } from './utilization.kpi';

/** Call KPIs need only call aggregates; agent KPIs only agent state time. */
export const CALL_KPIS: readonly Kpi[] = [
  offered, answered, answerRate, abandoned, shortAbandoned, timedOut, abandonRate, abandonRateExcludingShort,
  serviceLevelAsterisk, serviceLevelAsteriskSl2, serviceLevelConnect, asa, longestWait, aht, ahtWithoutAcw,
  averageTalk, averageHold, averageAcw, transfersPerCall, ringRuleViolations, holdRuleViolations,
  releasedFirstViolations, repeatCallerRate, firstCallResolution,
];
export const AGENT_KPIS: readonly Kpi[] = [occupancy, utilization, nonServiceTime, readyWaitingTime];
export const ALL_KPIS: readonly Kpi[] = [...CALL_KPIS, ...AGENT_KPIS];

/** Versions superseded by a definition in ALL_KPIS, kept so history can be recomputed side by side. */
export const SUPERSEDED_KPIS: readonly Kpi[] = [serviceLevelConnectV1, releasedFirstViolationsV1];

/** Every version of a KPI, oldest first. */
export const kpiVersions = (id: string): Kpi[] =>
  [...SUPERSEDED_KPIS, ...ALL_KPIS].filter((k) => k.id === id).sort((a, b) => a.version - b.version);

export interface KpiFigure {
  readonly kpiId: string;
  readonly value: number;
  readonly unit: KpiUnit;
  readonly definitionVersion: number;
}

/** Every defined figure of `kpis` for one bucket; undefined ones (rates over nothing) are left out. */
export function computeFigures(kpis: readonly Kpi[], input: KpiInput, parameters: KpiParameters): KpiFigure[] {
  const figures: KpiFigure[] = [];
  for (const k of kpis) {
    const value = k.compute(input, parameters);
    if (value !== null) figures.push({ kpiId: k.id, value, unit: k.unit, definitionVersion: k.version });
  }
  if (kpis.includes(nonServiceTime)) figures.push(...nonServiceBreakdown(input));
  return figures;
}

export interface RecomputedKpi {
  readonly kpiId: string;
  readonly unit: KpiUnit;
  /** Oldest version first; value null where the version is undefined for the bucket. */
  readonly versions: readonly { readonly version: number; readonly value: number | null; readonly formula: string }[];
}

/** Every version of each KPI computed from the same input, side by side. Unknown ids are the caller's to refuse. */
export function recomputeVersions(kpiIds: readonly string[], input: KpiInput, parameters: KpiParameters): RecomputedKpi[] {
  return kpiIds.map((id) => {
    const versions = kpiVersions(id);
    return {
      kpiId: id, unit: versions[versions.length - 1].unit,
      versions: versions.map((k) => ({ version: k.version, value: k.compute(input, parameters), formula: renderFormula(k, parameters) })),
    };
  });
}

/** Ids of the KPIs defined in more than one version. */
export const versionedKpiIds = (): string[] => [...new Set(SUPERSEDED_KPIS.map((k) => k.id))];

function nonServiceBreakdown({ agents }: KpiInput): KpiFigure[] {
  return Object.entries(agents.notReadySeconds)
    .filter(([reason]) => reason !== AFTER_CALL_WORK)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([reason, value]) => ({ kpiId: `${nonServiceTime.id}.${reason}`, value, unit: 'seconds', definitionVersion: nonServiceTime.version }));
}
