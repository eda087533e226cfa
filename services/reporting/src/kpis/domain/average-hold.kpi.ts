import { defineKpi, mean } from './kpi';

export const averageHold = defineKpi({
  id: 'average_hold', version: 1, name: 'Average hold time', unit: 'seconds',
  formula: 'total hold time ÷ answered (calls never held count as 0).',
  source: 'Amazon Connect CustomerHoldDuration',
  inputs: ['holdSeconds', 'answered'], thresholds: [],
  compute: ({ calls }) => mean(calls.holdSeconds, calls.answered),
});
