import { commonServiceConfig, Env, loadConfig } from '@switchboard/config';
import type { KpiParameters } from './kpis/domain/kpi';

export const loadServiceConfig = (env: Env) =>
  loadConfig(env, (e) => ({
    ...commonServiceConfig(e, 'reporting', { grpcPort: 50056, metricsPort: 9466 }),
    /** Days, weeks and months are cut in the site's zone (RP-A2). */
    timeZone: e.get('REPORTING_TIME_ZONE').default('Asia/Shanghai').asString(),
    kpiParameters: {
      serviceLevelSeconds: e.get('REPORTING_SERVICE_LEVEL_SECONDS').default('20').asIntPositive(),
      shortAbandonSeconds: e.get('REPORTING_SHORT_ABANDON_SECONDS').default('5').asIntPositive(),
      maxRings: e.get('REPORTING_MAX_RINGS').default('2').asIntPositive(),
      maxHoldSeconds: e.get('REPORTING_MAX_HOLD_SECONDS').default('120').asIntPositive(),
      maxHoldsPerCall: e.get('REPORTING_MAX_HOLDS_PER_CALL').default('1').asIntPositive(),
    } satisfies KpiParameters,
  }));
