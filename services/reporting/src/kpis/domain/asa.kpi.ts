import { defineKpi, mean } from './kpi';

export const asa = defineKpi({
  id: 'asa', version: 1, name: 'Average speed of answer', unit: 'seconds',
  formula: 'sum of waits of answered calls (queue entry to answer, ringing included) ÷ answered.',
  source: 'Amazon Connect "Average queue answer time"',
  inputs: ['answeredWaitSeconds', 'answered'], thresholds: [],
  compute: ({ calls }) => mean(calls.answeredWaitSeconds, calls.answered),
});
