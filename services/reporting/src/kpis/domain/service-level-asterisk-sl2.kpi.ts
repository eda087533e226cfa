import { defineKpi, percent } from './kpi';

export const serviceLevelAsteriskSl2 = defineKpi({
  id: 'service_level_asterisk_sl2', version: 1, name: 'Service level (Asterisk SL2)', unit: 'percent',
  formula: '(answered within {serviceLevelSeconds} s + abandoned within {serviceLevelSeconds} s) ÷ (answered + abandoned) × 100. ' +
    'Timed-out visits are in neither (as the oracle; Asterisk\'s own QueueParams count a timeout as abandoned).',
  source: 'Asterisk queues.conf servicelevel, SL2 (telephony-reference §3.5)',
  inputs: ['answeredWithin', 'abandonedWithin', 'answered', 'abandoned'], thresholds: ['serviceLevelSeconds'],
  compute: ({ calls }) => percent(calls.answeredWithin + calls.abandonedWithin, calls.answered + calls.abandoned),
});
