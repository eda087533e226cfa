import { defineKpi, mean } from './kpi';

export const aht = defineKpi({
  id: 'aht', version: 1, name: 'Average handle time (with ACW)', unit: 'seconds',
  formula: '(talk + hold + after-call work) ÷ answered, over answered visits. Timed-out visits have no handle time and are not counted.',
  source: 'Amazon Connect historical AHT; requirements K13',
  inputs: ['talkSeconds', 'acwSeconds', 'answered'], thresholds: [],
  // talkSeconds already includes hold (CallReleased.talkSeconds runs from answer to release).
  compute: ({ calls }) => mean(calls.talkSeconds + calls.acwSeconds, calls.answered),
});
