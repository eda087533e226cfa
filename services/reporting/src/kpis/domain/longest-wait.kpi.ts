import { defineKpi } from './kpi';

export const longestWait = defineKpi({
  id: 'longest_wait', version: 1, name: 'Longest wait', unit: 'seconds',
  formula: 'Longest queue wait of any call that queued in the interval, answered or abandoned.',
  source: 'Amazon Connect "Maximum queued time"',
  inputs: ['longestWaitSeconds'], thresholds: [],
  compute: ({ calls }) => calls.longestWaitSeconds,
});
