import { defineKpi, percent } from './kpi';

export const serviceLevelConnect = defineKpi({
  id: 'service_level_connect', version: 1, name: 'Service level (Amazon Connect)', unit: 'percent',
  formula: 'calls removed from queue (answered or abandoned) within {serviceLevelSeconds} s ÷ offered × 100. ' +
    'Short abandons count in the numerator.',
  source: 'Amazon Connect "Service level X seconds" (telephony-reference §1)',
  inputs: ['answeredWithin', 'abandonedWithin', 'offered'], thresholds: ['serviceLevelSeconds'],
  compute: ({ calls }) => percent(calls.answeredWithin + calls.abandonedWithin, calls.offered),
});
