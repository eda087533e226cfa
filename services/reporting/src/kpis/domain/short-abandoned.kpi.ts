import { defineKpi } from './kpi';

export const shortAbandoned = defineKpi({
  id: 'short_abandoned', version: 1, name: 'Short abandons', unit: 'count',
  formula: 'Abandoned visits that waited less than {shortAbandonSeconds} s (misdials, callers who changed their mind); ' +
    'timed-out visits never count.',
  source: 'Amazon Connect "Contacts abandoned in X seconds"',
  inputs: ['shortAbandoned'], thresholds: ['shortAbandonSeconds'],
  compute: ({ calls }) => calls.shortAbandoned,
});
