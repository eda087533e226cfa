import { given, policy, readyAgent, step } from '../test-support/engine-spec';
import type { RoutingInput } from './routing-inputs';
import type { CallAssigned } from './routing-decision.events';
import { TEAM_LEADER_SHARE_WINDOW } from './team-leader-share';
import { RoutingEngine } from './routing-engine';
import { queueStateOf } from './queue-state';

const queued = (callId: string, at: number, callerTier?: string): RoutingInput => ({ type: 'CallQueued', callId, queueId: 'q1', at, ...(callerTier === undefined ? {} : { callerTier }) });
const ready = (agentId: string, at: number): RoutingInput => ({ type: 'AgentBecameReady', agentId, at });
const wrapUp = (agentId: string, callId: string, at: number): RoutingInput => ({ type: 'AgentStartedWrapUp', agentId, callId, at });
const ratio = (r: number, at = 0): RoutingInput => ({ type: 'TeamLeaderShareSet', ratio: r, at });

/** A team leader of `teamId` (t1), logged in to q1 and ready at `readyAt`. */
const readyLeader = (agentId: string, readyAt: number, teamId = 't1'): RoutingInput[] => [
  { type: 'AgentProfileChanged', agentId, profile: { teamId, skills: new Map(), teamLeader: true }, at: 0 },
  { type: 'AgentLoggedIn', agentId, queueIds: ['q1'], at: 0 },
  ready(agentId, readyAt),
];

describe('RT-11 When a call of a customer tier is queued', () => {
  // vip starts 3 points up a ladder of +1 per 10 s (cap 5): the head start of 30 s of waiting.
  const tiered = policy('q1', { ageing: { everySeconds: 10, increment: 1, max: 5 }, tierPriorities: [{ tier: 'vip', boost: 3 }] });
  const history = [{ type: 'PolicySet', policy: tiered, at: 0 } as RoutingInput];

  it('should go ahead of standard calls that queued less than its head start before it', () => {
    given([...history, queued('c-standard', 0), queued('c-vip', 25_000, 'vip'), { type: 'AgentLoggedIn', agentId: 'a1', queueIds: ['q1'], at: 0 }])
      .when(ready('a1', 26_000)).then([{ callId: 'c-vip', agentId: 'a1', callerTier: 'vip' }], ['CallAssigned']);
  });

  it('should never go ahead of a standard call that queued its head start or more before it', () => {
    given([...history, queued('c-standard', 0), queued('c-vip', 30_000, 'vip'), { type: 'AgentLoggedIn', agentId: 'a1', queueIds: ['q1'], at: 0 }])
      .when(ready('a1', 31_000)).then([{ callId: 'c-standard' }]);
    // Both long past the cap: priority is equal, so the older call goes first.
    given([...history, queued('c-standard', 0), queued('c-vip', 40_000, 'vip'), { type: 'AgentLoggedIn', agentId: 'a1', queueIds: ['q1'], at: 0 }])
      .when(ready('a1', 500_000)).then([{ callId: 'c-standard' }]);
  });

  it('should treat a tier the policy does not name, or no tier, as standard', () => {
    given([...history, queued('c-first', 0), queued('c-gold', 5_000, 'gold'), { type: 'AgentLoggedIn', agentId: 'a1', queueIds: ['q1'], at: 0 }])
      .when(ready('a1', 6_000)).then([{ callId: 'c-first' }]);
  });

  it('should name the tier and its priority in the explanation', () => {
    const [agentSide] = given([...history, queued('c-standard', 0), queued('c-vip', 25_000, 'vip'), { type: 'AgentLoggedIn', agentId: 'a1', queueIds: ['q1'], at: 0 }])
      .when(ready('a1', 26_000)).decisions() as CallAssigned[];
    expect(agentSide.data.explanation.summary).toContain('caller tier vip: priority head start +3 (policy pol-q1), priority 3');
    const [callSide] = given([...history, ...readyAgent('a1', {}, 0)]).when(queued('c-vip', 1_000, 'vip')).decisions('naive') as CallAssigned[];
    expect(callSide.data.explanation.summary).toContain('caller tier vip: priority head start +3');
  });

  it('should keep the tier when the call is re-offered', () => {
    given([...history, ...readyAgent('a1', {}, 0), queued('c-vip', 1_000, 'vip'), queued('c-standard', 2_000),
      { type: 'AgentLoggedIn', agentId: 'a2', queueIds: ['q1'], at: 0 }, { type: 'RingNoAnswer', callId: 'c-vip', agentId: 'a1', at: 3_000 }])
      .when(ready('a2', 4_000)).then([{ callId: 'c-vip', agentId: 'a2', attempt: 2 }]);
  });
});

describe('RT-06 When team leaders take calls part-time', () => {
  it('should offer a call to a regular agent before a team leader, even one idle for longer', () => {
    given([ratio(1), ...readyLeader('tl', 0), ...readyAgent('a1', {}, 5_000)]).when(queued('c1', 6_000)).then([{ agentId: 'a1' }]);
  });

  it('should give a team leader no call until the director sets a ratio', () => {
    given([...readyLeader('tl', 0)]).when(queued('c1', 1_000)).then([]);
    given([...readyLeader('tl', 0), queued('c1', 1_000)]).when(ratio(1, 2_000)).then([{ callId: 'c1', agentId: 'tl' }]);
  });

  it('should let a team leader take at most the ratio of the team\'s recent offers', () => {
    // Ratio 1/4: with three team offers before, the leader may take the fourth (1 of 4), then not the next.
    const history: RoutingInput[] = [ratio(0.25), ...readyLeader('tl', 0), ...readyAgent('a1', {}, 0)];
    for (let i = 0; i < 3; i++) history.push(queued(`c${i}`, 1_000 + i * 10), wrapUp('a1', `c${i}`, 1_001 + i * 10), ready('a1', 1_002 + i * 10));
    given(history).when(queued('c-x', 2_000)).then([{ callId: 'c-x', agentId: 'a1' }]);
    const busy = [...history, queued('c-a1', 2_000)];
    given(busy).when(queued('c-tl', 2_100)).then([{ callId: 'c-tl', agentId: 'tl' }]);
    given([...busy, queued('c-tl', 2_100), wrapUp('tl', 'c-tl', 2_200), ready('tl', 2_300)]).when(queued('c-next', 2_400)).then([]);
  });

  it('should explain why a team leader was passed over, and why one was chosen', () => {
    const [assigned] = given([ratio(1), ...readyLeader('tl', 0)]).when(queued('c1', 1_000)).decisions('naive') as CallAssigned[];
    expect(assigned.data.explanation.candidates[0]).toMatchObject({ agentId: 'tl', outcome: 'chosen' });
    expect(assigned.data.explanation.candidates[0].reason).toContain("team leader as last resort (no regular agent eligible): 0 of the team's last 0 offers so far, director's ratio 100 %");
    const [toAgent] = given([ratio(0.1), ...readyLeader('tl', 0), ...readyAgent('a1', {}, 500)]).when(queued('c1', 1_000)).decisions('naive') as CallAssigned[];
    expect(toAgent.data.explanation.candidates).toEqual([
      expect.objectContaining({ agentId: 'a1', outcome: 'chosen' }),
      expect.objectContaining({ agentId: 'tl', outcome: 'rejected', reason: "team leader share reached: took 0 of the team's last 0 offers, director's ratio 10 %" }),
    ]);
  });

  it('should offer a waiting call to a team leader the moment the team\'s offers bring the share back under the ratio', () => {
    // Ratio 1/2: a1 takes c1, the leader c2 (1 of 2); c3 and c4 wait (a third offer to the leader would be 2 of 3).
    const history: RoutingInput[] = [ratio(0.5), ...readyLeader('tl', 0), ...readyAgent('a1', {}, 0), queued('c1', 1_000), queued('c2', 1_100),
      wrapUp('tl', 'c2', 1_200), ready('tl', 1_300), queued('c3', 1_400), queued('c4', 1_500), wrapUp('a1', 'c1', 1_600)];
    given(history).when({ type: 'TimeAdvanced', at: 1_700 }).then([]);
    // a1 takes c3: the leader now has 1 of the last 3, so one more (2 of 4) is within the ratio and c4 goes to them at once.
    given(history).when(ready('a1', 1_700)).then([{ callId: 'c3', agentId: 'a1' }, { callId: 'c4', agentId: 'tl' }], ['CallAssigned', 'CallAssigned']);
  });

  it('should count the share over the team\'s last offers only', () => {
    expect(TEAM_LEADER_SHARE_WINDOW).toBe(20);
    const history: RoutingInput[] = [ratio(0.05), ...readyLeader('tl', 0), ...readyAgent('a1', {}, 0)];
    for (let i = 0; i < 19; i++) history.push(queued(`c${i}`, 1_000 + i * 10), wrapUp('a1', `c${i}`, 1_001 + i * 10), ready('a1', 1_002 + i * 10));
    // 19 offers to a1: one more offer of 20 goes to the leader (1 of 20 = 5 %).
    given([...history, queued('c-a1', 2_000)]).when(queued('c-tl', 2_100)).then([{ agentId: 'tl' }]);
  });
});

describe('The live queue state', () => {
  it('should count waiting calls per caller tier and ready team leaders within and at their share', () => {
    const engine = new RoutingEngine();
    const inputs: RoutingInput[] = [ratio(0.5), ...readyLeader('tl', 0), queued('c1', 1_000, 'vip'), queued('c2', 1_100, 'vip'), queued('c3', 1_200)];
    inputs.forEach((i) => engine.handle(i));
    // The leader may not take the first offer of the team at 1/2 (1 of 1): at share, and all three calls wait.
    expect(queueStateOf(engine.book, 'q1', 2_000)).toMatchObject({ waitingCalls: 3, waitingByTier: { vip: 2 }, agentsReady: 1, teamLeadersReady: 0, teamLeadersAtShare: 1 });
    engine.handle(ratio(1, 2_000));
    expect(queueStateOf(engine.book, 'q1', 2_000)).toMatchObject({ waitingCalls: 2, waitingByTier: { vip: 1 }, agentsReady: 0, teamLeadersReady: 0 });
  });
});

describe('RT-11 When a policy step serves some caller tiers only', () => {
  // A VIP desk (team t-vip) for 30 s, dedicated: standard callers never reach it; then anyone of t1.
  const desk = policy('q1', {
    strategy: 'longest-idle',
    steps: [step({ callerTiers: ['vip'], teamIds: ['t-vip'], dedicated: true, expirySeconds: 30 }), step()],
  });
  const floor: RoutingInput[] = [{ type: 'PolicySet', policy: desk, at: 0 }, ...readyAgent('vip-1', {}, 0, ['q1'], 't-vip')];

  it('should give a vip call to the dedicated desk and say so in the explanation', () => {
    given([...floor, ...readyAgent('a1', {}, 0)]).when(queued('c-vip', 1_000, 'vip')).then([{ callId: 'c-vip', agentId: 'vip-1', step: 0 }]);
    const [assigned] = given(floor).when(queued('c-vip', 1_000, 'vip')).decisions('naive') as CallAssigned[];
    expect(assigned.data.explanation.summary).toContain('step 0 serves caller tiers vip only, dedicated team t-vip');
  });

  it('should never give a standard call to the dedicated desk, even when it is the only ready agent', () => {
    given(floor).when(queued('c-std', 1_000)).then([]);
    given([...floor, queued('c-std', 1_000)]).when({ type: 'TimeAdvanced', at: 120_000 }).then([]);
    given([...floor, queued('c-std', 1_000), { type: 'AgentLoggedIn', agentId: 'a1', queueIds: ['q1'], at: 0 }])
      .when(ready('a1', 2_000)).then([{ callId: 'c-std', agentId: 'a1', step: 1 }], ['CallAssigned']);
  });

  it('should let a standard call enter at the first step serving it, naming the step it skipped and the desk that was off limits', () => {
    const [assigned] = given([...floor, ...readyAgent('a1', {}, 500)]).when(queued('c-std', 1_000)).decisions('naive') as CallAssigned[];
    expect(assigned.data).toMatchObject({ agentId: 'a1', step: 1 });
    expect(assigned.data.explanation.summary).toContain('caller tier standard skipped step 0 (for other tiers only)');
    expect(assigned.data.explanation.candidates).toContainEqual(expect.objectContaining({
      agentId: 'vip-1', outcome: 'rejected', reason: 'reserved for caller tiers vip (dedicated team t-vip in policy pol-q1), not standard' }));
  });

  it('should keep a vip call at the desk until its step expires, then widen to everyone', () => {
    const busyDesk: RoutingInput[] = [...floor, queued('c-first', 500, 'vip'), ...readyAgent('a1', {}, 0)];
    given(busyDesk).when(queued('c-vip', 1_000, 'vip')).then([]);
    given([...busyDesk, queued('c-vip', 1_000, 'vip')]).when({ type: 'TimeAdvanced', at: 31_000 })
      .then([{ callId: 'c-vip', fromStep: 0, toStep: 1 }, { callId: 'c-vip', agentId: 'a1', step: 1 }], ['CallOverflowed', 'CallAssigned']);
  });

  it('should overflow a call past steps for other tiers only, to the next step serving its tier', () => {
    const ladder = policy('q1', { steps: [step({ expirySeconds: 10 }), step({ callerTiers: ['gold'], expirySeconds: 10 }), step({ extraQueueIds: ['backup'] })] });
    given([{ type: 'PolicySet', policy: ladder, at: 0 }, queued('c1', 0)]).when({ type: 'TimeAdvanced', at: 10_000 })
      .then([{ callId: 'c1', fromStep: 0, toStep: 2 }], ['CallOverflowed']);
    given([{ type: 'PolicySet', policy: ladder, at: 0 }, queued('c1', 0, 'gold')]).when({ type: 'TimeAdvanced', at: 10_000 })
      .then([{ callId: 'c1', fromStep: 0, toStep: 1 }], ['CallOverflowed']);
  });

  it('should rank a call by how far it overflowed for its tier, so a vip at its first step is not put behind a standard call at its first', () => {
    // Not dedicated: the vip team may also take standard calls (step 1); the vip's head start decides, not the step index.
    const shared = policy('q1', {
      strategy: 'longest-idle', ageing: { everySeconds: 10, increment: 1, max: 3 }, tierPriorities: [{ tier: 'vip', boost: 2 }],
      steps: [step({ callerTiers: ['vip'], teamIds: ['t-vip'], expirySeconds: 60 }), step()],
    });
    given([{ type: 'PolicySet', policy: shared, at: 0 }, queued('c-std', 1_000), queued('c-vip', 2_000, 'vip'),
      { type: 'AgentProfileChanged', agentId: 'vip-1', profile: { teamId: 't-vip', skills: new Map() }, at: 0 },
      { type: 'AgentLoggedIn', agentId: 'vip-1', queueIds: ['q1'], at: 0 }])
      .when(ready('vip-1', 3_000)).then([{ callId: 'c-vip', agentId: 'vip-1', step: 0 }]);
  });
});

describe('RT-06 When the director sets a team\'s own team-leader ratio', () => {
  const teamRatio = (teamId: string, r: number | null, at = 0): RoutingInput => ({ type: 'TeamLeaderTeamShareSet', teamId, ratio: r, at });

  it('should let that team\'s leaders take calls under it while other teams follow the centre-wide ratio', () => {
    given([ratio(0), teamRatio('t1', 1), ...readyLeader('tl-1', 0, 't1')]).when(queued('c1', 1_000)).then([{ agentId: 'tl-1' }]);
    given([ratio(0), teamRatio('t1', 1), ...readyLeader('tl-2', 0, 't2')]).when(queued('c1', 1_000)).then([]);
    given([ratio(1), teamRatio('t1', 0), ...readyLeader('tl-1', 0, 't1')]).when(queued('c1', 1_000)).then([]);
  });

  it('should offer a waiting call to a leader at once when the team\'s ratio rises, and follow the centre-wide ratio again when cleared', () => {
    given([ratio(0), ...readyLeader('tl-1', 0, 't1'), queued('c1', 1_000)]).when(teamRatio('t1', 1, 2_000)).then([{ callId: 'c1', agentId: 'tl-1' }]);
    given([ratio(0), teamRatio('t1', 1), teamRatio('t1', null), ...readyLeader('tl-1', 0, 't1')]).when(queued('c1', 1_000)).then([]);
  });

  it('should name the team\'s own ratio in the explanation', () => {
    const [assigned] = given([ratio(0.1), teamRatio('t1', 1), ...readyLeader('tl-1', 0, 't1')]).when(queued('c1', 1_000)).decisions('naive') as CallAssigned[];
    expect(assigned.data.explanation.candidates[0].reason).toContain("director's ratio for team t1 100 %");
  });
});
