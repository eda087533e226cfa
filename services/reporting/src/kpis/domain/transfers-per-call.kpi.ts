import { defineKpi } from './kpi';

export const transfersPerCall = defineKpi({
  id: 'transfers_per_call', version: 1, name: 'Transfers per call', unit: 'ratio',
  formula: 'transfers of answered visits ÷ answered. Timed-out visits have no handle time and are not counted.',
  source: 'requirements K43',
  inputs: ['transfers', 'answered'], thresholds: [],
  compute: ({ calls }) => (calls.answered > 0 ? calls.transfers / calls.answered : null),
});
