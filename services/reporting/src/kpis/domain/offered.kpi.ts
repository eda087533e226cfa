import { defineKpi } from './kpi';

export const offered = defineKpi({
  id: 'offered', version: 1, name: 'Offered (来电量)', unit: 'count',
  formula: 'Queue visits that entered a queue in the interval, whatever their outcome: answered + abandoned + timed out. ' +
    'A call blindly transferred back into a queue is offered there again.',
  source: 'Amazon Connect "Contacts queued" (a transfer to a queue is a new contact); oracle offered = answered + abandoned + timed out',
  inputs: ['offered'], thresholds: [],
  compute: ({ calls }) => calls.offered,
});
