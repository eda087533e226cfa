import { defineKpi } from './kpi';

export const timedOut = defineKpi({
  id: 'timed_out', version: 1, name: 'Queue timeouts', unit: 'count',
  formula: 'Queue visits the queue gave up on (queue timeout; the dial plan took the call to voicemail, a callback or ' +
    'another number). Offered, not answered, not abandoned.',
  source: 'Asterisk queue_log EXITWITHTIMEOUT (telephony-reference §3.6, §3.7); oracle timedOut',
  inputs: ['timedOut'], thresholds: [],
  compute: ({ calls }) => calls.timedOut,
});
