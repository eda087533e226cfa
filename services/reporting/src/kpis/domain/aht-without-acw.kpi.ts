import { defineKpi, mean } from './kpi';

export const ahtWithoutAcw = defineKpi({
  id: 'aht_without_acw', version: 1, name: 'Average handle time (without ACW)', unit: 'seconds',
  formula: '(talk + hold) ÷ answered: answer to end of conversation, after-call work excluded. Timed-out visits have no handle time and are not counted.',
  source: 'Amazon Connect older real-time AHT',
  inputs: ['talkSeconds', 'answered'], thresholds: [],
  compute: ({ calls }) => mean(calls.talkSeconds, calls.answered),
});
