import { defineKpi, percent } from './kpi';

export const answerRate = defineKpi({
  id: 'answer_rate', version: 1, name: 'Answer rate (接通率)', unit: 'percent',
  formula: 'answered ÷ offered × 100. Short abandons and timed-out visits stay in the denominator.',
  source: 'requirements K07 (人工接通率)',
  inputs: ['answered', 'offered'], thresholds: [],
  compute: ({ calls }) => percent(calls.answered, calls.offered),
});
