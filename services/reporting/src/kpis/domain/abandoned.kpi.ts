import { defineKpi } from './kpi';

export const abandoned = defineKpi({
  id: 'abandoned', version: 1, name: 'Abandoned', unit: 'count',
  formula: 'Queue visits whose caller hung up before an agent answered, short abandons included. ' +
    'A queue timeout (the queue gave up, the caller did not hang up) is not an abandon.',
  source: 'Amazon Connect "Contacts abandoned"',
  inputs: ['abandoned'], thresholds: [],
  compute: ({ calls }) => calls.abandoned,
});
