import { defineKpi } from './kpi';

export const offered = defineKpi({
  id: 'offered', version: 1, name: 'Offered (来电量)', unit: 'count',
  formula: 'Calls that entered a queue in the interval, counted in the interval they queued in, whatever their outcome.',
  source: 'Amazon Connect "Contacts queued"; oracle offered = answered + abandoned + timed out',
  inputs: ['offered'], thresholds: [],
  compute: ({ calls }) => calls.offered,
});
