import { defineKpi, mean } from './kpi';

export const asa = defineKpi({
  id: 'asa', version: 1, name: 'Average speed of answer', unit: 'seconds',
  formula: 'sum of waits of answered visits (queue entry to answer, ringing included) ÷ answered; abandoned and timed-out waits are left out.',
  source: 'Amazon Connect "Average queue answer time"',
  inputs: ['answeredWaitSeconds', 'answered'], thresholds: [],
  compute: ({ calls }) => mean(calls.answeredWaitSeconds, calls.answered),
});
