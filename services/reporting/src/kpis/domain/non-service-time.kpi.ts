import { AFTER_CALL_WORK, defineKpi, notReadyTotal } from './kpi';

/** Reported in total here; reports add the breakdown per reason as `non_service_time.<reason>`. */
// Agent state time only: queue visits and queue timeouts do not enter it.
export const nonServiceTime = defineKpi({
  id: 'non_service_time', version: 1, name: 'Non-service time (非服务时长)', unit: 'seconds',
  formula: 'Logged-in time in a not-ready state other than after-call work (break, meal, busy, meeting, training), ' +
    'also reported per reason.',
  source: 'requirements K09',
  inputs: ['notReadySeconds'], thresholds: [],
  compute: ({ agents }) => notReadyTotal(agents, (r) => r !== AFTER_CALL_WORK),
});
