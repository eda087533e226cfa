/**
 * KPI correctness end to end: the PBX simulator runs a small day (transfers, holds, abandons, repeat callers) at
 * maximum speed, the telephony gateway turns its AMI stream into canonical events on Kafka, and fresh reporting
 * projections (real Postgres) consume a copy of them — once in the gateway's order, once shuffled across calls with a
 * quarter of the calls and agents delivered late and some records twice. Every figure reporting shows per 30-minute
 * interval and queue, and per interval and agent, must equal the KPI oracle computed from the simulator's ground truth:
 * counts and rates of counts exactly, durations within 1 s. The intended definition differences (queue timeouts,
 * ringing, reason codes) are mapped in expected-figures.ts; the known discrepancies (transferred calls) are confined
 * to the intervals, queues and agents a transfer touches, so that any other difference fails with interval, scope, KPI, expected and actual.
 */
import { join } from 'node:path';
import { loadScenario, type ContactRecord } from '@switchboard/pbx-simulator';
import { runGatewayDay, type GatewayDay } from './gateway-day';
import { transferScopes, compareWithOracle, describeMismatch, isCallKpi } from './kpi-comparison';
import { runReporting, type Delivery } from './reporting-run';

jest.setTimeout(120_000);
const SCENARIO = join(__dirname, '../../../tools/pbx-simulator/scenarios/small-test-day.json');
const SEEDS = [1, 2]; // seed 3 passes too; two keep the suite near a minute on two cores
const HOURS = 1.5;

describe.each(SEEDS)('KPIs of a simulated day (seed %i) against the oracle', (seed) => {
  let day: GatewayDay;
  beforeAll(async () => {
    day = await runGatewayDay({ ...(await loadScenario(SCENARIO)), durationHours: HOURS }, seed);
  });

  it('should exercise transfers, holds, abandons and repeat callers', () => {
    const contacts = day.truth.filter((r): r is ContactRecord => r.kind === 'contact');
    expect(contacts.filter((c) => c.transfer !== null).length).toBeGreaterThan(0);
    expect(contacts.filter((c) => c.holds.length > 0).length).toBeGreaterThan(0);
    expect(contacts.filter((c) => c.outcome === 'abandoned').length).toBeGreaterThan(0);
    expect(contacts.filter((c) => c.repeatOfCallId !== null).length).toBeGreaterThan(0);
  });

  it.each<Delivery>(['in-order', 'shuffled-late'])('should match every KPI per interval, queue and agent (%s delivery)', async (delivery) => {
    const run = await runReporting(day, delivery);
    try {
      const { mismatches } = await compareWithOracle(day.truth, run.reader);
      const known = transferScopes(day.truth);
      const explained = (m: (typeof mismatches)[number]) => isCallKpi(m.kpi) && known.has(`${m.interval} ${m.scope}`);
      // Everything outside the scopes a transfer touches matches exactly (durations within 1 s).
      expect(mismatches.filter((m) => !explained(m)).map(describeMismatch)).toEqual([]);
      // The known discrepancy is real and confined: without transfers, nothing may differ at all.
      if (known.size === 0) expect(mismatches).toEqual([]);
    } finally {
      await run.close();
    }
  });
});
