import type { AgentIntervalRecord, ContactRecord, GroundTruthRecord } from '../domain/ground-truth';
import { computeKpis, DEFAULT_ORACLE_OPTIONS, parseGroundTruth } from './kpi-oracle';

const T0 = Date.parse('2025-03-03T09:00:00Z');
const s = (seconds: number): number => seconds * 1000;

function contact(overrides: Partial<ContactRecord>): ContactRecord {
  return {
    kind: 'contact', contactId: 'c-1', callId: 'c', callerNumber: '5550000001', callerTier: null, repeatOfCallId: null, visit: 1, queue: 'support',
    callArrivedAtMs: T0, queuedAtMs: T0, outcome: 'answered', waitMs: s(10), answeredAtMs: T0 + s(10), agentId: '1001', offers: [],
    ringMs: s(4), ringCount: 1, holds: [], holdMs: 0, talkMs: s(100), acwMs: s(20), conversationEndedAtMs: T0 + s(110),
    releasedBy: 'caller', transfer: null, conferences: [], resolved: true, routingDecisionMissed: false, recording: null, ...overrides,
  };
}

const interval = (state: AgentIntervalRecord['state'], fromS: number, toS: number, reason: string | null = null): AgentIntervalRecord => ({
  kind: 'agent-interval', agentId: '1001', state, reason, startMs: T0 + s(fromS), endMs: T0 + s(toS),
});

describe('KPI oracle', () => {
  const records: GroundTruthRecord[] = [
    contact({ contactId: 'a', waitMs: s(10) }),
    contact({ contactId: 'b', waitMs: s(30), talkMs: s(200), acwMs: s(40), ringCount: 3, holds: [{ startMs: T0, endMs: T0 + s(150) }], holdMs: s(150) }),
    contact({ contactId: 'c', outcome: 'abandoned', waitMs: s(3), agentId: null, answeredAtMs: null, talkMs: 0, acwMs: 0 }),
    contact({ contactId: 'd', outcome: 'abandoned', waitMs: s(50), agentId: null, answeredAtMs: null, talkMs: 0, acwMs: 0 }),
    contact({ contactId: 'e', queue: 'sales', outcome: 'timeout', waitMs: s(300), agentId: null, answeredAtMs: null, talkMs: 0, acwMs: 0, queuedAtMs: T0 + s(1900) }),
    interval('ready', 0, 600),
    interval('talking', 600, 900),
    interval('acw', 900, 1000),
    interval('not-ready', 1000, 1900, 'Meal'),
    interval('ready', 1900, 2000),
  ];

  it('should compute the daily service levels the three ways the industry defines them', () => {
    const daily = computeKpis(records).daily.total;
    expect(daily).toMatchObject({ offered: 5, answered: 2, abandoned: 2, shortAbandoned: 1, timedOut: 1, answeredWithinThreshold: 1 });
    expect(daily.serviceLevelAsterisk).toBeCloseTo(1 / 2);
    expect(daily.serviceLevel2Asterisk).toBeCloseTo(2 / 4);
    expect(daily.serviceLevelConnect).toBeCloseTo(2 / 5);
    expect(daily.abandonRate).toBeCloseTo(2 / 5);
    expect(daily.abandonRateExcludingShort).toBeCloseTo(1 / 4);
    expect(daily.answerRate).toBeCloseTo(2 / 5);
  });

  it('should average waits and handle times over answered contacts, with and without ACW', () => {
    const daily = computeKpis(records).daily.total;
    expect(daily.asaSeconds).toBeCloseTo(20);
    expect(daily.longestWaitSeconds).toBe(300);
    expect(daily.ahtSeconds).toBeCloseTo((120 + 390) / 2);
    expect(daily.ahtWithoutAcwSeconds).toBeCloseTo((100 + 350) / 2);
    expect(daily.averageAbandonSeconds).toBeCloseTo(26.5);
  });

  it('should flag answers after more than two rings and holds longer than two minutes', () => {
    const daily = computeKpis(records).daily.total;
    expect(daily.ringViolations).toBe(1);
    expect(daily.holdViolations).toBe(1);
    expect(computeKpis([contact({ holds: [{ startMs: 0, endMs: 1 }, { startMs: 2, endMs: 3 }] })]).daily.total.holdViolations).toBe(1);
  });

  it('should split agent time across intervals and exclude not-ready time from occupancy', () => {
    const report = computeKpis(records, { ...DEFAULT_ORACLE_OPTIONS, intervalMinutes: 15 });
    expect(report.intervals.map((b) => b.total.offered)).toEqual([4, 0, 1]);
    expect(report.intervals[0].agents).toMatchObject({ readySeconds: 600, talkingSeconds: 300 });
    expect(report.intervals[1].agents).toMatchObject({ acwSeconds: 100, notReadySeconds: 800 });
    expect(report.daily.agents.notReadySecondsByReason).toEqual({ Meal: 900 });
    expect(report.daily.agents.occupancy).toBeCloseTo(400 / 1100);
    expect(report.daily.byQueue.sales.timedOut).toBe(1);
  });

  it('should read the JSON Lines log it is given', () => {
    const jsonl = records.map((r) => JSON.stringify(r)).join('\n') + '\n';
    expect(parseGroundTruth(jsonl)).toEqual(records);
  });
});
