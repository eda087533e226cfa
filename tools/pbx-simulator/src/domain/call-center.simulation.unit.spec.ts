import { computeKpis, contactKpis, DEFAULT_ORACLE_OPTIONS } from '../oracle/kpi-oracle';
import { expectedArrivals } from './arrival-curve';
import { CallCenterSimulation } from './call-center.simulation';
import type { AgentIntervalRecord, ContactRecord, GroundTruthRecord } from './ground-truth';
import { createRng } from './prng';
import { runOffline } from './run-offline';
import { withQueueTimeout, type Scenario } from './scenario';
import type { SimFact } from './sim-facts';
import { simpleQueue, simpleScenario } from './test-scenarios';

const contactsOf = (records: readonly GroundTruthRecord[]): ContactRecord[] => records.filter((r): r is ContactRecord => r.kind === 'contact');
const intervalsOf = (records: readonly GroundTruthRecord[]): AgentIntervalRecord[] =>
  records.filter((r): r is AgentIntervalRecord => r.kind === 'agent-interval');

describe('CallCenterSimulation', () => {
  describe('When the same scenario runs twice', () => {
    const scenario = simpleScenario(
      { queues: [simpleQueue({ patience: { kind: 'exponential', mean: 60 }, talk: { kind: 'exponential', mean: 200 }, holdCount: { kind: 'discrete', values: [0, 1, 2], weights: [5, 3, 2] }, blindTransfer: { probability: 0.1, target: 'support' } })] },
      3,
      { ringNoAnswerProbability: 0.1, answerDelay: { kind: 'uniform', min: 1, max: 12 }, unplannedNotReady: { perHour: 1, reasons: [{ reason: 'Busy', weight: 1, minutes: { kind: 'fixed', value: 3 } }] } },
    );

    it('should produce identical ground truth for the same seed', () => {
      expect(JSON.stringify(runOffline(scenario, 42).records)).toEqual(JSON.stringify(runOffline(scenario, 42).records));
    });

    it('should produce a different day for another seed', () => {
      expect(JSON.stringify(runOffline(scenario, 42).records)).not.toEqual(JSON.stringify(runOffline(scenario, 43).records));
    });
  });

  describe('When traffic follows the M curve with a sudden peak (statistical)', () => {
    const arrivals = { kind: 'm-curve', callsPerDay: 24_000, morningPeak: '10:00', afternoonPeak: '15:00', peakWidthHours: 1, baseShare: 0.2 } as const;
    const suddenPeaks = [{ start: '12:00', durationMinutes: 30, multiplier: 3 }];
    const scenario = simpleScenario(
      { startTime: '00:00', durationHours: 24, queues: [simpleQueue({ arrivals, suddenPeaks, patience: { kind: 'fixed', value: 1 } })] },
      0,
    );
    const report = computeKpis(runOffline(scenario, 7).records, { ...DEFAULT_ORACLE_OPTIONS, intervalMinutes: 30 });

    it('should offer, in every 30-minute interval, the expected count within 4.5 standard deviations', () => {
      const dayStart = Date.parse('2025-03-03T00:00:00Z');
      for (const bucket of report.intervals) {
        const from = (bucket.startMs - dayStart) / 1000;
        const expected = expectedArrivals(arrivals, suddenPeaks, from, from + 1800);
        expect(Math.abs(bucket.total.offered - expected)).toBeLessThan(4.5 * Math.sqrt(expected) + 1);
      }
    });

    it('should follow the two-peak shape and triple the traffic during the sudden peak', () => {
      const offeredAt = (hhmm: string): number => report.intervals.find((b) => new Date(b.startMs).toISOString().slice(11, 16) === hhmm)!.total.offered;
      expect(offeredAt('10:00')).toBeGreaterThan(2 * offeredAt('12:30'));
      expect(offeredAt('15:00')).toBeGreaterThan(2 * offeredAt('12:30'));
      expect(offeredAt('04:00')).toBeLessThan(offeredAt('10:00') / 3);
      expect(offeredAt('12:00') / offeredAt('12:30')).toBeGreaterThan(2.4);
      const expectedDay = expectedArrivals(arrivals, suddenPeaks, 0, 86_400);
      expect(Math.abs(report.daily.total.offered - expectedDay)).toBeLessThan(4 * Math.sqrt(expectedDay));
    });
  });

  describe('When handle time comes from configured distributions (statistical)', () => {
    const scenario = simpleScenario(
      {
        durationHours: 100,
        queues: [
          simpleQueue({
            arrivals: { kind: 'constant', callsPerHour: 200 },
            talk: { kind: 'lognormal', mean: 240, sd: 120 },
            holdCount: { kind: 'discrete', values: [0, 1, 2], weights: [0.6, 0.3, 0.1] },
            holdDuration: { kind: 'uniform', min: 20, max: 60 },
            afterCallWork: { kind: 'exponential', mean: 30 },
          }),
        ],
      },
      40,
    );
    const daily = computeKpis(runOffline(scenario, 11).records).daily.total;

    it('should have a mean handle time of talk + holds + ACW = 290 s within 2 %', () => {
      expect(daily.answered).toBeGreaterThan(19_000);
      expect(daily.ahtSeconds!).toBeGreaterThan(290 * 0.98);
      expect(daily.ahtSeconds!).toBeLessThan(290 * 1.02);
      expect(daily.averageTalkSeconds!).toBeCloseTo(240, -1);
      expect(daily.averageHoldSeconds!).toBeGreaterThan(20 * 0.95);
      expect(daily.averageHoldSeconds!).toBeLessThan(20 * 1.05);
      expect(daily.averageAcwSeconds!).toBeGreaterThan(30 * 0.95);
      expect(daily.averageAcwSeconds!).toBeLessThan(30 * 1.05);
    });
  });

  describe('When callers are impatient and staffing is tight (Erlang A, reference §5.2 case C)', () => {
    // λ = 100 calls / 30 min, exponential talk of 3 min, exponential patience of 5 min, 13 agents:
    // P(abandon) = 0.0250, P(wait) = 0.2258, occupancy 0.7500.
    const scenario = simpleScenario(
      {
        durationHours: 200,
        queues: [simpleQueue({ arrivals: { kind: 'constant', callsPerHour: 200 }, talk: { kind: 'exponential', mean: 180 }, patience: { kind: 'exponential', mean: 300 } })],
      },
      13,
    );
    const records = runOffline(scenario, 2025).records;
    const contacts = contactsOf(records);
    const daily = contactKpis(contacts, DEFAULT_ORACLE_OPTIONS);

    it('should abandon 2.5 % of calls within ±0.5 percentage points', () => {
      expect(daily.offered).toBeGreaterThan(38_000);
      expect(Math.abs(daily.abandonRate! - 0.025)).toBeLessThan(0.005);
    });

    it('should make 22.6 % of callers wait within ±2 percentage points', () => {
      const waited = contacts.filter((c) => c.waitMs > 0).length / contacts.length;
      expect(Math.abs(waited - 0.2258)).toBeLessThan(0.02);
    });

    it('should keep agents 75 % occupied within ±2 percentage points', () => {
      const occupancy = computeKpis(records).daily.agents.occupancy!;
      expect(Math.abs(occupancy - 0.75)).toBeLessThan(0.02);
    });
  });
});

describe('Call flow details', () => {
  const factsOf = (scenario: Scenario, seed = 1): SimFact[] => {
    const facts: SimFact[] = [];
    runOffline(scenario, seed, (f) => facts.push(f));
    return facts;
  };

  it('should retry another ring after an agent does not answer, and count the rings of the answering offer', () => {
    const scenario = simpleScenario({ durationHours: 2 }, 2, { ringNoAnswerProbability: 0.3, answerDelay: { kind: 'fixed', value: 12 } });
    const contacts = contactsOf(runOffline(scenario, 5).records);
    const retried = contacts.filter((c) => c.offers.some((o) => o.result === 'no-answer') && c.outcome === 'answered');
    expect(retried.length).toBeGreaterThan(0);
    for (const c of retried) {
      expect(c.offers[c.offers.length - 1].result).toBe('answered');
      expect(c.ringCount).toBe(3);
    }
    expect(contactKpis(contacts, DEFAULT_ORACLE_OPTIONS).ringViolations).toBe(contacts.filter((c) => c.outcome === 'answered').length);
  });

  it('should defer a scheduled break until the agent has finished the call and its after-call work', () => {
    const scenario = simpleScenario(
      { queues: [simpleQueue({ arrivals: { kind: 'constant', callsPerHour: 600 }, afterCallWork: { kind: 'fixed', value: 30 } })] },
      1,
      { breaks: [{ at: '08:30', minutes: 10, reason: 'Break' }] },
    );
    const facts = factsOf(scenario);
    const pause = facts.find((f) => f.type === 'AgentPaused')!;
    const previous = facts.filter((f) => f.at <= pause.at && f.type === 'AfterCallWorkEnded');
    expect(pause.at).toBeGreaterThanOrEqual(Date.parse('2025-03-03T08:30:00Z'));
    expect(previous[previous.length - 1].at).toBe(pause.at);
    const unpause = facts.find((f) => f.type === 'AgentUnpaused')!;
    expect(unpause.at - pause.at).toBe(600_000);
  });

  it('should requeue a blindly transferred caller in the target queue as a second contact of the same call', () => {
    const scenario = simpleScenario({
      queues: [simpleQueue({ blindTransfer: { probability: 1, target: 'sales' } }), simpleQueue({ name: 'sales', arrivals: { kind: 'constant', callsPerHour: 0 } })],
    }, 3);
    const groups = scenario.agentGroups.map((g) => ({ ...g, skills: { support: 0, sales: 0 } }));
    const contacts = contactsOf(runOffline({ ...scenario, agentGroups: groups }, 3).records);
    const first = contacts.find((c) => c.queue === 'support' && c.outcome === 'answered')!;
    const second = contacts.find((c) => c.callId === first.callId && c.queue === 'sales')!;
    expect(first.transfer).toEqual({ kind: 'blind', target: 'sales' });
    expect(first.releasedBy).toBe('transfer');
    expect(second.visit).toBe(2);
    expect(second.queuedAtMs).toBe(first.conversationEndedAtMs);
  });

  it('should log agents in late and out early as planned', () => {
    const scenario = simpleScenario({}, 1, {
      shift: { start: '08:00', end: '08:40' },
      lateness: { probability: 1, minutes: { kind: 'fixed', value: 7 } },
      earlyLogoff: { probability: 1, minutes: { kind: 'fixed', value: 5 } },
    });
    const facts = factsOf(scenario);
    expect(facts.find((f) => f.type === 'AgentLoggedIn')!.at).toBe(Date.parse('2025-03-03T08:07:00Z'));
    const logout = facts.find((f) => f.type === 'AgentLoggedOut')!;
    expect(logout.at).toBeGreaterThanOrEqual(Date.parse('2025-03-03T08:35:00Z'));
    expect(logout).toMatchObject({ early: true });
  });

  it('should record agent intervals that tile the logged-in time without overlap', () => {
    const scenario = simpleScenario({ durationHours: 3 }, 4, {
      unplannedNotReady: { perHour: 2, reasons: [{ reason: 'Busy', weight: 1, minutes: { kind: 'fixed', value: 4 } }] },
    });
    const intervals = intervalsOf(runOffline(scenario, 9).records).filter((i) => i.agentId === '1001');
    for (let i = 1; i < intervals.length; i++) expect(intervals[i].startMs).toBe(intervals[i - 1].endMs);
    expect(intervals.some((i) => i.state === 'not-ready' && i.reason === 'Busy')).toBe(true);
  });
});

describe('External routing', () => {
  it('should ring only the agent named by the routing decision and count decisions that never come', () => {
    const scenario = simpleScenario({ queues: [simpleQueue({ arrivals: { kind: 'constant', callsPerHour: 120 }, patience: { kind: 'fixed', value: 60 } })] }, 3);
    const simulation = new CallCenterSimulation(scenario, createRng(1), 'external');
    const facts: SimFact[] = [];
    let routed = false;
    while (!simulation.isFinished()) {
      simulation.advanceTo(simulation.nextEventAt());
      const batch = simulation.drainFacts();
      facts.push(...batch);
      const queued = batch.find((f) => f.type === 'CallQueued');
      if (queued && !routed) {
        expect(simulation.routeCall(queued.callId, '1002')).toEqual({ ok: true });
        expect(simulation.routeCall(queued.callId, '1003')).toMatchObject({ ok: false });
        routed = true;
      }
    }
    facts.push(...simulation.drainFacts());
    const rings = facts.filter((f) => f.type === 'AgentRingStarted');
    expect(rings).toHaveLength(1);
    expect(rings[0]).toMatchObject({ agentId: '1002' });
    const missed = facts.filter((f) => f.type === 'RoutingDecisionMissed').length;
    const queuedCount = facts.filter((f) => f.type === 'CallQueued').length;
    expect(missed).toBe(queuedCount - 1);
  });
});

describe('When a queue times out on waiting callers (maxWaitSeconds)', () => {
  // One agent talking 180 s per call against 60 calls an hour: most callers reach the 30 s queue timeout first.
  const scenario = withQueueTimeout(simpleScenario({}, 1), 30);
  const facts: SimFact[] = [];
  const { records } = runOffline(scenario, 5, (f) => facts.push(f));
  const contacts = contactsOf(records);
  const timedOut = contacts.filter((c) => c.outcome === 'timeout');

  it('should record the timed-out visits as timeouts after exactly the queue timeout, released by the system, never as abandons', () => {
    expect(timedOut.length).toBeGreaterThan(10);
    expect(contacts.filter((c) => c.outcome === 'abandoned')).toEqual([]);
    for (const c of timedOut) expect(c).toMatchObject({ waitMs: 30_000, releasedBy: 'system', agentId: null, answeredAtMs: null });
  });

  it('should let the caller hang up in the dial plan afterTimeoutSeconds (20) later', () => {
    const left = facts.filter((f): f is Extract<SimFact, { type: 'CallLeftQueueUnanswered' }> => f.type === 'CallLeftQueueUnanswered');
    const ended = new Map(facts.filter((f) => f.type === 'TimedOutCallEnded').map((f) => [f.callId, f.at]));
    expect(left.length).toBe(timedOut.length);
    expect(ended.size).toBeGreaterThan(0);
    for (const f of left.filter((x) => ended.has(x.callId))) expect(ended.get(f.callId)! - f.at).toBe(20_000);
  });

  it('should count a timed-out visit as offered but neither answered nor abandoned in the oracle', () => {
    const k = contactKpis(contacts, DEFAULT_ORACLE_OPTIONS);
    expect(k.timedOut).toBe(timedOut.length);
    expect(k.offered).toBe(k.answered + timedOut.length);
    expect(k.abandoned).toBe(0);
    expect(k.abandonRate).toBe(0);
    // SL2 = (answered + abandoned within 20 s) / (answered + abandoned): the timeouts are in neither part.
    const answered = contacts.filter((c) => c.outcome === 'answered');
    expect(k.serviceLevel2Asterisk).toBeCloseTo(answered.filter((c) => c.waitMs <= 20_000).length / answered.length, 10);
  });

  it('should leave a scenario without maxWaitSeconds free of timeouts and its ground truth unchanged by the option code', () => {
    const plain = runOffline(simpleScenario({}, 1), 5).records;
    expect(contactsOf(plain).filter((c) => c.outcome === 'timeout')).toEqual([]);
    expect(JSON.stringify(runOffline(withQueueTimeout(simpleScenario({}, 1), 0), 5).records)).toEqual(JSON.stringify(plain));
  });
});
