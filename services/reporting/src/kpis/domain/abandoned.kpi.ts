import { defineKpi } from './kpi';

export const abandoned = defineKpi({
  id: 'abandoned', version: 1, name: 'Abandoned', unit: 'count',
  formula: 'Queued calls whose caller hung up before an agent answered, short abandons included.',
  source: 'Amazon Connect "Contacts abandoned"',
  inputs: ['abandoned'], thresholds: [],
  compute: ({ calls }) => calls.abandoned,
});
