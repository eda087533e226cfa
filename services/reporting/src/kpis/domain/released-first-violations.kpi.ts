import { defineKpi } from './kpi';

export const releasedFirstViolations = defineKpi({
  id: 'released_first_violations', version: 1, name: 'Agent released first', unit: 'count',
  formula: 'Answered calls the agent hung up before the caller (the caller should release first).',
  source: 'floor rule from the seeds (QA call etiquette)',
  inputs: ['agentReleasedFirst'], thresholds: [],
  compute: ({ calls }) => calls.agentReleasedFirst,
});
