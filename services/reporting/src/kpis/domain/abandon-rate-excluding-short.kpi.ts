import { defineKpi, percent } from './kpi';

export const abandonRateExcludingShort = defineKpi({
  id: 'abandon_rate_excl_short', version: 1, name: 'Abandon rate without short abandons', unit: 'percent',
  formula: '(abandoned − short abandons) ÷ (offered − short abandons) × 100; short = waited < {shortAbandonSeconds} s. ' +
    'Timed-out visits stay in the denominator.',
  source: 'common wallboard practice; oracle abandonRateExcludingShort',
  inputs: ['abandoned', 'shortAbandoned', 'offered'], thresholds: ['shortAbandonSeconds'],
  compute: ({ calls }) => percent(calls.abandoned - calls.shortAbandoned, calls.offered - calls.shortAbandoned),
});
