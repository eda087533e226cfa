import { defineKpi } from './kpi';

// Agent state time only: queue visits and queue timeouts do not enter it.
export const readyWaitingTime = defineKpi({
  id: 'ready_waiting_time', version: 1, name: 'Ready-waiting time (待话时长)', unit: 'seconds',
  formula: 'Time agents spent ready with no call (ringing included, as the PBX reports the agent ready while it rings).',
  source: 'requirements K10',
  inputs: ['readySeconds'], thresholds: [],
  compute: ({ agents }) => agents.readySeconds,
});
