import { defineKpi, percent } from './kpi';

export const repeatCallerRate = defineKpi({
  id: 'repeat_caller_rate_24h', version: 1, name: 'Repeat-caller rate (24 h)', unit: 'percent',
  formula: 'calls (first visits) whose caller (same caller hash) had called in the previous 24 h ÷ offered × 100; ' +
    'timed-out visits count in offered.',
  source: 'requirements K14 (inferred)',
  inputs: ['repeat24h', 'offered'], thresholds: [],
  compute: ({ calls }) => percent(calls.repeat24h, calls.offered),
});
