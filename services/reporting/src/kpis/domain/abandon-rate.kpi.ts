import { defineKpi, percent } from './kpi';

export const abandonRate = defineKpi({
  id: 'abandon_rate', version: 1, name: 'Abandon rate', unit: 'percent',
  formula: 'abandoned ÷ offered × 100, short abandons included; timed-out visits count in offered only.',
  source: 'Amazon Connect ABANDONMENT_RATE (abandoned ÷ queued)',
  inputs: ['abandoned', 'offered'], thresholds: [],
  compute: ({ calls }) => percent(calls.abandoned, calls.offered),
});
