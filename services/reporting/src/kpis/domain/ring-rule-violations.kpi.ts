import { defineKpi } from './kpi';

export const ringRuleViolations = defineKpi({
  id: 'ring_rule_violations', version: 1, name: 'Ring-rule violations (铃响两声内接起)', unit: 'count',
  formula: 'Answered visits the agent answered after more than {maxRings} rings. Timed-out visits have no handle time and are not counted.',
  source: 'requirements K24',
  inputs: ['ringViolations'], thresholds: ['maxRings'],
  compute: ({ calls }) => calls.ringViolations,
});
