import { commonServiceConfig, ConfigError, Env, loadConfig } from '@switchboard/config';
import type { KpiParameters } from './kpis/domain/kpi';

export const loadServiceConfig = (env: Env) =>
  loadConfig(env, (e) => ({
    ...commonServiceConfig(e, 'reporting', { grpcPort: 50056, metricsPort: 9466 }),
    /** Days, weeks and months are cut in the site's zone (RP-A2). */
    timeZone: e.get('REPORTING_TIME_ZONE').default('Asia/Shanghai').asString(),
    /** Sites in another zone, `site=Zone` pairs (team and site reports cut each site's days in its own zone). */
    siteTimeZones: parseSiteZones(e.get('REPORTING_SITE_TIME_ZONES').default('').asString()),
    /** `data`: "now" follows the latest PBX event time (docs/adr/0008-reporting-clock.md); `wall`: the system clock. */
    clock: e.get('REPORTING_CLOCK').default('data').asEnum(['data', 'wall']),
    kpiParameters: {
      serviceLevelSeconds: e.get('REPORTING_SERVICE_LEVEL_SECONDS').default('20').asIntPositive(),
      shortAbandonSeconds: e.get('REPORTING_SHORT_ABANDON_SECONDS').default('5').asIntPositive(),
      maxRings: e.get('REPORTING_MAX_RINGS').default('2').asIntPositive(),
      maxHoldSeconds: e.get('REPORTING_MAX_HOLD_SECONDS').default('120').asIntPositive(),
      maxHoldsPerCall: e.get('REPORTING_MAX_HOLDS_PER_CALL').default('1').asIntPositive(),
    } satisfies KpiParameters,
    /**
     * The rollup materialiser (docs/adr/0019-rollup-materialisation-ahead-of-reads.md): the pause after a pass that
     * materialised days, doubled after each idle pass up to the maximum. A pass does all the days missing when it
     * starts (a whole catch-up); the pause only bounds how often the current day is redone under live traffic
     * (~55 ms per default fingerprint at 32,000 calls a day) and how soon a swapped-in rebuild is noticed.
     */
    rollups: {
      pollMs: e.get('REPORTING_ROLLUP_POLL_MS').default('30000').asIntPositive(),
      idlePollMaxMs: e.get('REPORTING_ROLLUP_IDLE_POLL_MAX_MS').default('120000').asIntPositive(),
    },
    /** The wallboard page and its Connect endpoint (docs/adr/0006-wallboard-transport.md). */
    wallboard: {
      host: e.get('WALLBOARD_HOST').default('127.0.0.1').asString(),
      port: e.get('WALLBOARD_PORT').default('8080').asPortNumber(),
      /** How often each open stream re-reads the read model; updates reach the page within this plus the projection lag. */
      pollMs: e.get('WALLBOARD_POLL_MS').default('250').asIntPositive(),
      /** Time-in-state limits by not-ready reason, in seconds (RT-07: busy ≤ 5 min, short break ≤ 10 min, meal 30 min). */
      stateLimitSeconds: parseLimits(e.get('WALLBOARD_STATE_LIMITS').default('busy=300,break=600,meal=1800').asString()),
      /** Local times (site zone) of the three daily sign-in monitoring snapshots (RP-03). */
      signInSnapshotTimes: e.get('WALLBOARD_SIGNIN_SNAPSHOT_TIMES').default('09:00,14:00,20:00').asArray(','),
      /** A slot not taken within this many minutes after its time (service down) is left missing, not taken late. */
      signInSnapshotGraceMinutes: e.get('WALLBOARD_SIGNIN_SNAPSHOT_GRACE_MINUTES').default('30').asIntPositive(),
    },
  }));

function parseLimits(text: string): Record<string, number> {
  const entries = text.split(',').filter(Boolean).map((pair) => pair.split('=').map((s) => s.trim()));
  if (entries.some(([k, v]) => !k || !/^\d+$/.test(v ?? ''))) {
    throw new ConfigError(`configuration error: WALLBOARD_STATE_LIMITS must look like busy=300,break=600 (got '${text}')`);
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, Number(v)]));
}

function parseSiteZones(text: string): Record<string, string> {
  const entries = text.split(',').map((pair) => pair.trim()).filter(Boolean).map((pair) => pair.split('=').map((s) => s.trim()));
  const valid = (zone: string | undefined) => {
    try {
      return zone !== undefined && zone !== '' && Boolean(new Intl.DateTimeFormat('en', { timeZone: zone }));
    } catch {
      return false;
    }
  };
  if (entries.some(([site, zone, extra]) => !site || !valid(zone) || extra !== undefined)) {
    throw new ConfigError(`configuration error: REPORTING_SITE_TIME_ZONES must look like nanchang=Asia/Shanghai,lisbon=Europe/Lisbon with IANA zones (got '${text}')`);
  }
  return Object.fromEntries(entries.map(([site, zone]) => [site, zone]));
}
