import { defineKpi } from './kpi';

export const holdRuleViolations = defineKpi({
  id: 'hold_rule_violations', version: 1, name: 'Hold-rule violations', unit: 'count',
  formula: 'Answered visits with a hold longer than {maxHoldSeconds} s, or more than {maxHoldsPerCall} hold(s). Timed-out visits have no handle time and are not counted.',
  source: 'requirements K25 (seed 002: ≤ 2 min, fewer than 2 holds)',
  inputs: ['holdViolations'], thresholds: ['maxHoldSeconds', 'maxHoldsPerCall'],
  compute: ({ calls }) => calls.holdViolations,
});
