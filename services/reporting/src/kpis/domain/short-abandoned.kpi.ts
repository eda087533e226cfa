import { defineKpi } from './kpi';

export const shortAbandoned = defineKpi({
  id: 'short_abandoned', version: 1, name: 'Short abandons', unit: 'count',
  formula: 'Abandoned calls that waited less than {shortAbandonSeconds} s (misdials, callers who changed their mind).',
  source: 'Amazon Connect "Contacts abandoned in X seconds"',
  inputs: ['shortAbandoned'], thresholds: ['shortAbandonSeconds'],
  compute: ({ calls }) => calls.shortAbandoned,
});
