import { agentHandlingSeconds, defineKpi, percent } from './kpi';

// Agent state time only: queue visits and queue timeouts do not enter it.
export const occupancy = defineKpi({
  id: 'occupancy', version: 1, name: 'Occupancy (工作效率)', unit: 'percent',
  formula: 'handling ÷ (handling + ready) × 100, handling = on call (hold included) + wrap-up + not-ready for after-call work. ' +
    'Other not-ready time is excluded; concurrency is not accounted for.',
  source: 'Amazon Connect AGENT_OCCUPANCY; requirements K08',
  inputs: ['onCallSeconds', 'wrapUpSeconds', 'notReadySeconds[after-call-work]', 'readySeconds'], thresholds: [],
  compute: ({ agents }) => percent(agentHandlingSeconds(agents), agentHandlingSeconds(agents) + agents.readySeconds),
});
