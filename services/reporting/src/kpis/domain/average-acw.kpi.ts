import { defineKpi, mean } from './kpi';

export const averageAcw = defineKpi({
  id: 'average_acw', version: 1, name: 'Average after-call work', unit: 'seconds',
  formula: 'total after-call work ÷ answered. Timed-out visits have no handle time and are not counted.',
  source: 'Amazon Connect AfterContactWorkDuration',
  inputs: ['acwSeconds', 'answered'], thresholds: [],
  compute: ({ calls }) => mean(calls.acwSeconds, calls.answered),
});
