/**
 * KPI correctness end to end: the PBX simulator runs a small day (transfers, holds, abandons, repeat callers) at
 * maximum speed, the telephony gateway turns its AMI stream into canonical events on Kafka, and fresh reporting
 * projections (real Postgres) consume a copy of them — once in the gateway's order, once shuffled across calls with a
 * quarter of the calls and agents delivered late and some records twice. Every figure reporting shows per 30-minute
 * interval and queue, and per interval and agent, must equal the KPI oracle computed from the simulator's ground truth:
 * counts and rates of counts exactly, durations within 1 s. The intended definition differences (queue timeouts,
 * ringing, reason codes) are mapped in expected-figures.ts. Transferred calls are compared like any other: the gateway
 * ends the transferring agent's part at the hand-over (talk, then after-call work) and publishes each blind transfer's
 * next queue visit with its `queueVisit`, as the oracle counts them. Any difference fails with interval, scope, KPI,
 * expected and actual.
 */
import { join } from 'node:path';
import { loadScenario, type ContactRecord } from '@switchboard/pbx-simulator';
import { runGatewayDay, type GatewayDay } from './gateway-day';
import { compareWithOracle, describeMismatch } from './kpi-comparison';
import { runReporting, type Delivery } from './reporting-run';

jest.setTimeout(120_000);
const SCENARIO = join(__dirname, '../../../tools/pbx-simulator/scenarios/small-test-day.json');
const SEEDS = [1, 2]; // seed 3 passes too; two keep the suite near a minute on two cores
const HOURS = 1.5;

describe.each(SEEDS)('KPIs of a simulated day (seed %i) against the oracle', (seed) => {
  let day: GatewayDay;
  beforeAll(async () => {
    const scenario = await loadScenario(SCENARIO);
    // More attended transfers than the scenario's 2 % of support calls, so that every seed's short day has some.
    const queues = scenario.queues.map((q) => (q.attendedTransfer ? { ...q, attendedTransfer: { ...q.attendedTransfer, probability: 0.08 } } : q));
    day = await runGatewayDay({ ...scenario, queues, durationHours: HOURS }, seed);
  });

  it('should exercise transfers, holds, abandons and repeat callers', () => {
    const contacts = day.truth.filter((r): r is ContactRecord => r.kind === 'contact');
    expect(contacts.filter((c) => c.transfer?.kind === 'blind').length).toBeGreaterThan(0);
    expect(contacts.filter((c) => c.transfer?.kind === 'attended').length).toBeGreaterThan(0);
    expect(contacts.filter((c) => c.visit > 1).length).toBeGreaterThan(0);
    expect(contacts.filter((c) => c.holds.length > 0).length).toBeGreaterThan(0);
    expect(contacts.filter((c) => c.outcome === 'abandoned').length).toBeGreaterThan(0);
    expect(contacts.filter((c) => c.repeatOfCallId !== null).length).toBeGreaterThan(0);
  });

  it.each<Delivery>(['in-order', 'shuffled-late'])('should match every KPI per interval, queue and agent (%s delivery)', async (delivery) => {
    const run = await runReporting(day, delivery);
    try {
      const { mismatches, tally } = await compareWithOracle(day.truth, run.reader, day.tenant);
      expect(mismatches.map(describeMismatch)).toEqual([]);
      expect([...tally.values()].reduce((n, t) => n + t.compared, 0)).toBeGreaterThan(100);
    } finally {
      await run.close();
    }
  });
});
