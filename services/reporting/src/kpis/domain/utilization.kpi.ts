import { agentHandlingSeconds, defineKpi, notReadyTotal, percent } from './kpi';

// Agent state time only: queue visits and queue timeouts do not enter it.
export const utilization = defineKpi({
  id: 'utilization', version: 1, name: 'Utilization', unit: 'percent',
  formula: 'handling ÷ logged-in time × 100, logged-in = ready + on call + wrap-up + every not-ready reason.',
  source: 'common WFM definition (handle time over staffed time)',
  inputs: ['onCallSeconds', 'wrapUpSeconds', 'notReadySeconds', 'readySeconds'], thresholds: [],
  compute: ({ agents }) => percent(
    agentHandlingSeconds(agents),
    agents.readySeconds + agents.onCallSeconds + agents.wrapUpSeconds + notReadyTotal(agents, () => true),
  ),
});
