import { defineKpi, percent } from './kpi';

export const firstCallResolution = defineKpi({
  id: 'fcr_72h', version: 1, name: 'First-call resolution (一次解决率, 72 h)', unit: 'percent',
  formula: 'answered visits whose caller did not call again within 72 h (marked on the call\'s first visit) ÷ answered × 100; timed-out visits are not answered. ' +
    'The last 72 h of a period are provisional until that window has passed.',
  source: 'requirements K14 (inferred: no repeat contact within N days)',
  inputs: ['followedUp72h', 'answered'], thresholds: [],
  compute: ({ calls }) => percent(calls.answered - calls.followedUp72h, calls.answered),
});
