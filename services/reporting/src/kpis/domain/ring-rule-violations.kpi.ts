import { defineKpi } from './kpi';

export const ringRuleViolations = defineKpi({
  id: 'ring_rule_violations', version: 1, name: 'Ring-rule violations (铃响两声内接起)', unit: 'count',
  formula: 'Answered calls the agent answered after more than {maxRings} rings.',
  source: 'requirements K24',
  inputs: ['ringViolations'], thresholds: ['maxRings'],
  compute: ({ calls }) => calls.ringViolations,
});
