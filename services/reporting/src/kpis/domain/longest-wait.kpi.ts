import { defineKpi } from './kpi';

export const longestWait = defineKpi({
  id: 'longest_wait', version: 1, name: 'Longest wait', unit: 'seconds',
  formula: 'Longest queue wait of any visit that entered the queue in the interval: answered, abandoned or timed out.',
  source: 'Amazon Connect "Maximum queued time"',
  inputs: ['longestWaitSeconds'], thresholds: [],
  compute: ({ calls }) => calls.longestWaitSeconds,
});
