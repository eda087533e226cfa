import { defineKpi } from './kpi';

export const releasedFirstViolations = defineKpi({
  id: 'released_first_violations', version: 1, name: 'Agent released first', unit: 'count',
  formula: 'Answered visits the agent hung up before the caller (the caller should release first). Timed-out visits have no handle time and are not counted.',
  source: 'floor rule from the seeds (QA call etiquette)',
  inputs: ['agentReleasedFirst'], thresholds: [],
  compute: ({ calls }) => calls.agentReleasedFirst,
});
