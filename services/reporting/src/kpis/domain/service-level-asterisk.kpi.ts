import { defineKpi, percent } from './kpi';

export const serviceLevelAsterisk = defineKpi({
  id: 'service_level_asterisk', version: 1, name: 'Service level (Asterisk SL)', unit: 'percent',
  formula: 'answered within {serviceLevelSeconds} s ÷ answered × 100. Abandoned and timed-out visits are ignored entirely.',
  source: 'Asterisk queues.conf servicelevel (telephony-reference §3.5)',
  inputs: ['answeredWithin', 'answered'], thresholds: ['serviceLevelSeconds'],
  compute: ({ calls }) => percent(calls.answeredWithin, calls.answered),
});
