import { aggregateCalls, CallFact } from './call-fact';
import { ALL_KPIS, CALL_KPIS, AGENT_KPIS, computeFigures, kpiVersions, SUPERSEDED_KPIS } from './kpi-catalog';
import { AgentTimeAggregate, DEFAULT_KPI_PARAMETERS, renderFormula } from './kpi';

const at = (hhmm: string) => Date.parse(`2025-03-14T${hhmm}:00+08:00`);
const call = (f: Partial<CallFact> & Pick<CallFact, 'callId' | 'outcome' | 'waitSeconds'>): CallFact => ({
  queueVisit: 1, queueId: 'billing', callerHash: null, queuedAtMs: at('09:00'), ringCount: 1, talkSeconds: 0, holdSeconds: 0, holdCount: 0,
  longestHoldSeconds: 0, acwSeconds: 0, transferCount: 0, releasedBy: null, ...f,
});

// A small day in one 30-minute interval (09:00–09:30 Asia/Shanghai), thresholds: SL 20 s, short abandon 5 s,
// 2 rings, hold 120 s, 1 hold per call.
const day: CallFact[] = [
  call({ callId: 'c1', outcome: 'answered', callerHash: 'A', queuedAtMs: at('09:00'), waitSeconds: 10, ringCount: 1,
    talkSeconds: 300, acwSeconds: 30, releasedBy: 'caller' }),
  call({ callId: 'c2', outcome: 'answered', callerHash: 'B', queuedAtMs: at('09:05'), waitSeconds: 25, ringCount: 3,
    talkSeconds: 200, holdSeconds: 150, holdCount: 1, longestHoldSeconds: 150, acwSeconds: 60, transferCount: 1, releasedBy: 'agent' }),
  call({ callId: 'c3', outcome: 'abandoned', callerHash: 'C', queuedAtMs: at('09:10'), waitSeconds: 3 }),
  call({ callId: 'c4', outcome: 'abandoned', callerHash: 'D', queuedAtMs: at('09:12'), waitSeconds: 40 }),
  call({ callId: 'c5', outcome: 'answered', callerHash: 'A', queuedAtMs: at('09:20'), waitSeconds: 15, ringCount: 2,
    talkSeconds: 100, holdSeconds: 40, holdCount: 2, longestHoldSeconds: 30, releasedBy: 'caller' }),
];
const agents: AgentTimeAggregate = {
  readySeconds: 600, onCallSeconds: 600, wrapUpSeconds: 60, notReadySeconds: { break: 600, 'after-call-work': 30, meal: 1800 },
};

describe('KPI catalog on a hand-computed day', () => {
  const calls = aggregateCalls(day, day, DEFAULT_KPI_PARAMETERS);
  const figures = Object.fromEntries(computeFigures(ALL_KPIS, { calls, agents }, DEFAULT_KPI_PARAMETERS).map((f) => [f.kpiId, f.value]));

  it('should count contacts', () => {
    // offered 5 (c1..c5); answered 3 (c1, c2, c5); abandoned 2 (c3, c4); short 1 (c3 waited 3 s < 5 s)
    expect(figures).toMatchObject({ offered: 5, answered: 3, abandoned: 2, short_abandoned: 1 });
  });

  it('should compute rates and the three service levels', () => {
    expect(figures.answer_rate).toBeCloseTo(60, 9); // 3 / 5
    expect(figures.abandon_rate).toBeCloseTo(40, 9); // 2 / 5
    expect(figures.abandon_rate_excl_short).toBeCloseTo(25, 9); // (2 − 1) / (5 − 1)
    // within 20 s: answered c1 (10), c5 (15); abandoned c3 (3)
    expect(figures.service_level_asterisk).toBeCloseTo(200 / 3, 9); // 2 / 3 answered
    expect(figures.service_level_asterisk_sl2).toBeCloseTo(60, 9); // (2 + 1) / (3 + 2)
    expect(figures.service_level_connect).toBeCloseTo(60, 9); // (2 + 1) / 5 offered (= SL2 here: no time-outs)
    expect(figures.timed_out).toBe(0);
  });

  it('should compute waits and handle times', () => {
    expect(figures.asa).toBeCloseTo(50 / 3, 9); // (10 + 25 + 15) / 3
    expect(figures.longest_wait).toBe(40); // c4
    expect(figures.aht).toBeCloseTo(230, 9); // talk incl. hold (300 + 200 + 100) + ACW (30 + 60 + 0) = 690 / 3
    expect(figures.aht_without_acw).toBeCloseTo(200, 9); // 600 / 3
    expect(figures.average_talk).toBeCloseTo(410 / 3, 9); // (600 − hold 190) / 3
    expect(figures.average_hold).toBeCloseTo(190 / 3, 9); // (150 + 40) / 3
    expect(figures.average_acw).toBeCloseTo(30, 9); // 90 / 3
  });

  it('should count rule violations, transfers and repeat callers', () => {
    expect(figures.transfers_per_call).toBeCloseTo(1 / 3, 9); // c2 transferred once
    expect(figures.ring_rule_violations).toBe(1); // c2: 3 rings > 2
    expect(figures.hold_rule_violations).toBe(2); // c2: one hold of 150 s > 120 s; c5: 2 holds > 1
    expect(figures.released_first_violations).toBe(0); // c2's agent release is the hand-over of its transfer
    expect(figures.repeat_caller_rate_24h).toBeCloseTo(20, 9); // c5 (caller A, 20 min after c1) / 5
    expect(figures.fcr_72h).toBeCloseTo(200 / 3, 9); // c1 followed up by c5 → (3 − 1) / 3
  });

  it('should compute agent time KPIs', () => {
    // handling = on call 600 + wrap-up 60 + not-ready(after-call-work) 30 = 690
    expect(figures.occupancy).toBeCloseTo((690 / (690 + 600)) * 100, 9); // ready 600
    expect(figures.utilization).toBeCloseTo((690 / 3690) * 100, 9); // logged in 600+600+60+600+30+1800
    expect(figures.non_service_time).toBe(2400); // break 600 + meal 1800; ACW is not non-service
    expect(figures['non_service_time.break']).toBe(600);
    expect(figures['non_service_time.meal']).toBe(1800);
    expect(figures.ready_waiting_time).toBe(600);
  });
});

// Queue visits and queue timeouts, 10:00–10:30: the counting unit is the queue visit.
// v1: c7's first visit (billing, waited 12 s, answered by E1, talked 60 s, transferred blindly back into billing)
// v2: c7's second visit (billing, waited 30 s, answered by E2, talked 90 s, held 10 s) — counted again in billing
// t1: timed out after 18 s (within the 20 s threshold; caller B, who also called at 09:05 — a repeat)
// t2: timed out after 300 s
// a1: abandoned after 8 s
const visitDay: CallFact[] = [
  call({ callId: 'c7', queueVisit: 1, outcome: 'answered', callerHash: 'G', queuedAtMs: at('10:00'), waitSeconds: 12, ringCount: 1,
    talkSeconds: 60, transferCount: 1, releasedBy: null }),
  call({ callId: 'c7', queueVisit: 2, outcome: 'answered', callerHash: null, queuedAtMs: at('10:02'), waitSeconds: 30, ringCount: 1,
    talkSeconds: 90, holdSeconds: 10, holdCount: 1, longestHoldSeconds: 10, acwSeconds: 20, releasedBy: 'caller' }),
  call({ callId: 't1', outcome: 'timed-out', callerHash: 'B', queuedAtMs: at('10:05'), waitSeconds: 18 }),
  call({ callId: 't2', outcome: 'timed-out', callerHash: 'H', queuedAtMs: at('10:06'), waitSeconds: 300 }),
  call({ callId: 'a1', outcome: 'abandoned', callerHash: 'I', queuedAtMs: at('10:07'), waitSeconds: 8 }),
  call({ callId: 'w1', outcome: 'waiting', callerHash: 'J', queuedAtMs: at('10:08'), waitSeconds: 400 }),
];

describe('KPI catalog on queue visits and queue timeouts', () => {
  const calls = aggregateCalls(visitDay, [...day, ...visitDay], DEFAULT_KPI_PARAMETERS);
  const figures = Object.fromEntries(computeFigures(ALL_KPIS, { calls, agents }, DEFAULT_KPI_PARAMETERS).map((f) => [f.kpiId, f.value]));

  it('should count every queue visit once, a timeout as offered but neither answered nor abandoned', () => {
    // offered 5 = answered 2 (c7 v1, c7 v2) + abandoned 1 (a1) + timed out 2 (t1, t2); w1 still waiting is not offered yet
    expect(figures).toMatchObject({ offered: 5, answered: 2, abandoned: 1, timed_out: 2, short_abandoned: 0 });
  });

  it('should keep timeouts in the denominators the reference puts them in', () => {
    expect(figures.answer_rate).toBeCloseTo(40, 9); // 2 / 5
    expect(figures.abandon_rate).toBeCloseTo(20, 9); // 1 / 5: timeouts only in offered
    expect(figures.abandon_rate_excl_short).toBeCloseTo(20, 9); // (1 − 0) / (5 − 0)
    // within 20 s: answered v1 (12); abandoned a1 (8); timed out t1 (18); v2 (30) and t2 (300) are not
    expect(figures.service_level_asterisk).toBeCloseTo(50, 9); // 1 / 2 answered
    expect(figures.service_level_asterisk_sl2).toBeCloseTo(200 / 3, 9); // (1 + 1) / (2 + 1): timeouts in neither
    expect(figures.service_level_connect).toBeCloseTo(60, 9); // v2: (1 + 1 + 1) / 5 removed from queue within 20 s
    expect(figures.longest_wait).toBe(300); // t2's wait counts; w1's (still waiting) does not
    expect(figures.asa).toBeCloseTo(21, 9); // (12 + 30) / 2 answered only
  });

  it('should give each visit its own handling, and the transfer to the visit it was made in', () => {
    expect(figures.aht).toBeCloseTo(85, 9); // (60 + 90 talk incl. hold + 20 ACW) / 2
    expect(figures.average_talk).toBeCloseTo(70, 9); // (150 − 10 hold) / 2
    expect(figures.transfers_per_call).toBeCloseTo(0.5, 9); // one transfer (v1) / 2 answered visits
    expect(figures.repeat_caller_rate_24h).toBeCloseTo(20, 9); // t1 (caller B called at 09:05) / 5 offered
  });

  it('should recompute Amazon Connect service level v1 beside v2 from the same figures', () => {
    const [v1, v2] = kpiVersions('service_level_connect');
    expect([v1.version, v2.version]).toEqual([1, 2]);
    expect(v1.compute({ calls, agents }, DEFAULT_KPI_PARAMETERS)).toBeCloseTo(40, 9); // (1 + 1) / 5: v1 left timeouts out
    expect(v2.compute({ calls, agents }, DEFAULT_KPI_PARAMETERS)).toBeCloseTo(60, 9);
  });
});

// Who released first, 11:00–11:30: the agent's release at a transfer is the hand-over, not hanging up on the caller.
// r1: answered by E1, E1 hung up on the caller                                  → violation
// r2: answered by E1, blind transfer to a queue (gateway: CallTransferred, then CallReleased by 'agent') → hand-over
// r3: answered by E2, attended transfer to agent 8012 (same pair of events)     → hand-over
// r4: answered, the caller hung up                                              → fine
// r5 visit 2: the visit r2's transfer opened, answered by E3 who hung up (no transfer of its own) → violation
// r6: abandoned (no release by an agent)                                         → not answered
const releaseDay: CallFact[] = [
  call({ callId: 'r1', outcome: 'answered', queuedAtMs: at('11:00'), waitSeconds: 5, talkSeconds: 60, releasedBy: 'agent' }),
  call({ callId: 'r2', outcome: 'answered', queuedAtMs: at('11:01'), waitSeconds: 5, talkSeconds: 60, transferCount: 1, releasedBy: 'agent' }),
  call({ callId: 'r3', outcome: 'answered', queuedAtMs: at('11:02'), waitSeconds: 5, talkSeconds: 60, transferCount: 1, releasedBy: 'agent' }),
  call({ callId: 'r4', outcome: 'answered', queuedAtMs: at('11:03'), waitSeconds: 5, talkSeconds: 60, releasedBy: 'caller' }),
  call({ callId: 'r2', queueVisit: 2, outcome: 'answered', queuedAtMs: at('11:02'), waitSeconds: 9, talkSeconds: 30, releasedBy: 'agent' }),
  call({ callId: 'r6', outcome: 'abandoned', queuedAtMs: at('11:04'), waitSeconds: 30 }),
];

describe('Agent released first, with transfers', () => {
  const calls = aggregateCalls(releaseDay, releaseDay, DEFAULT_KPI_PARAMETERS);
  const figures = Object.fromEntries(computeFigures(ALL_KPIS, { calls, agents }, DEFAULT_KPI_PARAMETERS).map((f) => [f.kpiId, f.value]));

  it('should not count the hand-over of a blind or attended transfer', () => {
    expect(calls.agentReleasedFirst).toBe(2); // r1, r5 visit 2
    expect(calls.agentReleasedAtTransfer).toBe(2); // r2, r3
    expect(figures.released_first_violations).toBe(2);
    expect(figures.transfers_per_call).toBeCloseTo(2 / 5, 9); // r2, r3 over 5 answered visits
  });

  it('should recompute v1 (every agent release) beside v2 from the same figures', () => {
    const [v1, v2] = kpiVersions('released_first_violations');
    expect([v1.version, v2.version]).toEqual([1, 2]);
    expect(v1.compute({ calls, agents }, DEFAULT_KPI_PARAMETERS)).toBe(4); // r1, r2, r3, r5 visit 2
    expect(v2.compute({ calls, agents }, DEFAULT_KPI_PARAMETERS)).toBe(2);
  });
});

describe('KPI definitions', () => {
  it('should keep superseded versions older than the current one of the same KPI', () => {
    for (const old of SUPERSEDED_KPIS) {
      const current = ALL_KPIS.find((k) => k.id === old.id)!;
      expect(old.version).toBeLessThan(current.version);
    }
  });

  it('should have unique ids, a version, inputs and a formula naming every threshold', () => {
    expect(new Set(ALL_KPIS.map((k) => k.id)).size).toBe(ALL_KPIS.length);
    expect(ALL_KPIS.length).toBe(CALL_KPIS.length + AGENT_KPIS.length);
    for (const k of ALL_KPIS) {
      expect(k.version).toBeGreaterThanOrEqual(1);
      expect(k.inputs.length).toBeGreaterThan(0);
      for (const t of k.thresholds) expect(k.formula).toContain(`{${t}}`);
    }
  });

  it('should render the configured threshold into the formula', () => {
    const sl = ALL_KPIS.find((k) => k.id === 'service_level_connect')!;
    expect(renderFormula(sl, { ...DEFAULT_KPI_PARAMETERS, serviceLevelSeconds: 30 })).toContain('within 30 s');
  });

  it('should leave out rates over no calls rather than report 0 %', () => {
    const empty = aggregateCalls([], [], DEFAULT_KPI_PARAMETERS);
    const ids = computeFigures(CALL_KPIS, { calls: empty, agents }, DEFAULT_KPI_PARAMETERS).map((f) => f.kpiId);
    expect(ids).toContain('offered');
    expect(ids).not.toContain('answer_rate');
    expect(ids).not.toContain('asa');
  });
});
