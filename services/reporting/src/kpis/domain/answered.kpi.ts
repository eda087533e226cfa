import { defineKpi } from './kpi';

export const answered = defineKpi({
  id: 'answered', version: 1, name: 'Answered (接续量)', unit: 'count',
  formula: 'Queue visits an agent answered (first answer of the visit). Timed-out visits are not answered.',
  source: 'requirements K11; Amazon Connect "Contacts handled"',
  inputs: ['answered'], thresholds: [],
  compute: ({ calls }) => calls.answered,
});
