import { defineKpi, mean } from './kpi';

export const averageHold = defineKpi({
  id: 'average_hold', version: 1, name: 'Average hold time', unit: 'seconds',
  formula: 'total hold time ÷ answered (visits never held count as 0). Timed-out visits have no handle time and are not counted.',
  source: 'Amazon Connect CustomerHoldDuration',
  inputs: ['holdSeconds', 'answered'], thresholds: [],
  compute: ({ calls }) => mean(calls.holdSeconds, calls.answered),
});
