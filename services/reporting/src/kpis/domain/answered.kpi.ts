import { defineKpi } from './kpi';

export const answered = defineKpi({
  id: 'answered', version: 1, name: 'Answered (接续量)', unit: 'count',
  formula: 'Queued calls an agent answered (first answer; transfers do not count again).',
  source: 'requirements K11; Amazon Connect "Contacts handled"',
  inputs: ['answered'], thresholds: [],
  compute: ({ calls }) => calls.answered,
});
