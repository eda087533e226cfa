import { defineKpi, mean } from './kpi';

export const averageTalk = defineKpi({
  id: 'average_talk', version: 1, name: 'Average talk time', unit: 'seconds',
  formula: '(answer-to-release time − hold time) ÷ answered. Timed-out visits have no handle time and are not counted.',
  source: 'Amazon Connect AgentInteractionDuration',
  inputs: ['talkSeconds', 'holdSeconds', 'answered'], thresholds: [],
  compute: ({ calls }) => mean(calls.talkSeconds - calls.holdSeconds, calls.answered),
});
