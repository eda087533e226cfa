import { defineKpi, percent } from './kpi';

export const serviceLevelConnect = defineKpi({
  id: 'service_level_connect', version: 2, name: 'Service level (Amazon Connect)', unit: 'percent',
  formula: 'visits removed from queue (answered, abandoned or timed out) within {serviceLevelSeconds} s ÷ offered × 100. ' +
    'Short abandons count in the numerator.',
  source: 'Amazon Connect "Service level X seconds": removed from queue ÷ queued (telephony-reference §1); oracle serviceLevelConnect',
  inputs: ['answeredWithin', 'abandonedWithin', 'timedOutWithin', 'offered'], thresholds: ['serviceLevelSeconds'],
  compute: ({ calls }) => percent(calls.answeredWithin + calls.abandonedWithin + calls.timedOutWithin, calls.offered),
});

/**
 * Version 1, kept to recompute history side by side: before queue timeouts were told apart they were abandons, so
 * "answered or abandoned" covered them; on data with timeouts it leaves them out of the numerator.
 */
export const serviceLevelConnectV1 = defineKpi({
  id: 'service_level_connect', version: 1, name: 'Service level (Amazon Connect)', unit: 'percent',
  formula: 'calls removed from queue (answered or abandoned) within {serviceLevelSeconds} s ÷ offered × 100. ' +
    'Short abandons count in the numerator.',
  source: 'Amazon Connect "Service level X seconds" (telephony-reference §1)',
  inputs: ['answeredWithin', 'abandonedWithin', 'offered'], thresholds: ['serviceLevelSeconds'],
  compute: ({ calls }) => percent(calls.answeredWithin + calls.abandonedWithin, calls.offered),
});
