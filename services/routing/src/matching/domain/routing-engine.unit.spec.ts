import { given, policy, readyAgent, step } from '../test-support/engine-spec';
import type { RoutingInput } from './routing-inputs';
import type { CallAssigned } from './routing-decision.events';
import { CALL_NOT_WAITING_RETRY_MS, UNAVAILABLE_AGENT_HOLD_MS } from './routing-engine';

const billing = (min: number) => ({ skillId: 'billing', minProficiency: min });
const queued = (callId: string, at: number, queueId = 'q1'): RoutingInput => ({ type: 'CallQueued', callId, queueId, at });
const billingPolicy = policy('q1', { steps: [step({ requirements: [billing(3)] })] });
const setPolicy = (p = billingPolicy): RoutingInput => ({ type: 'PolicySet', policy: p, at: 0 });

describe('When a call is queued', () => {
  it('should assign it to the most proficient ready agent, even one idle for less time', () => {
    given([setPolicy(), ...readyAgent('a-expert', { billing: 5 }, 5_000), ...readyAgent('a-basic', { billing: 3 }, 1_000)])
      .when(queued('c1', 10_000))
      .then([{ callId: 'c1', agentId: 'a-expert', step: 0, skillId: 'billing', waitSeconds: 0 }], ['CallAssigned']);
  });

  it('should break a proficiency tie by longest idle', () => {
    given([setPolicy(), ...readyAgent('a-late', { billing: 4 }, 5_000), ...readyAgent('a-early', { billing: 4 }, 1_000)])
      .when(queued('c1', 10_000))
      .then([{ agentId: 'a-early' }]);
  });

  it('should never assign to an agent below the required proficiency, not ready, or already holding an offer', () => {
    given([
      setPolicy(), ...readyAgent('a-weak', { billing: 2 }, 1_000),
      { type: 'AgentProfileChanged', agentId: 'a-away', profile: { teamId: 't1', skills: new Map([['billing', 5]]) }, at: 0 },
      { type: 'AgentLoggedIn', agentId: 'a-away', queueIds: ['q1'], at: 0 },
      ...readyAgent('a-busy', { billing: 5 }, 1_000), queued('c0', 2_000),
    ]).when(queued('c1', 3_000)).then([]);
  });

  it('should explain the choice: the winner, the runner-up and why it lost, and a rejected agent', () => {
    const [assigned] = given([setPolicy(), ...readyAgent('a1', { billing: 5 }, 1_000), ...readyAgent('a2', { billing: 4 }, 500),
      ...readyAgent('a3', { billing: 1 }, 100)]).when(queued('c1', 10_000)).decisions('naive') as CallAssigned[];
    const { candidates, summary, strategy } = assigned.data.explanation;
    expect(strategy).toBe('highest-proficiency-then-longest-idle');
    expect(candidates[0]).toMatchObject({ agentId: 'a1', outcome: 'chosen', proficiency: 5, idleSeconds: 9 });
    expect(candidates[1]).toMatchObject({ agentId: 'a2', outcome: 'eligible', reason: 'ranked below a1: proficiency 4 < 5' });
    expect(candidates[2]).toMatchObject({ agentId: 'a3', outcome: 'rejected', reason: 'billing at 1 < required 3' });
    expect(summary).toContain('c1 at step 0');
  });
});

describe('When a step expires', () => {
  const widening = policy('q1', {
    steps: [step({ requirements: [billing(4)], expirySeconds: 20 }), step({ requirements: [billing(2)], extraQueueIds: ['backup'], expirySeconds: 40 })],
    finalAction: { kind: 'callback-offer' },
  });

  it('should overflow to the wider step and assign an agent of the backup group', () => {
    given([setPolicy(widening), ...readyAgent('a-backup', { billing: 2 }, 0, ['backup']), queued('c1', 1_000)])
      .when({ type: 'TimeAdvanced', at: 21_000 })
      .then([{ fromStep: 0, toStep: 1, waitSeconds: 20 }, { agentId: 'a-backup', step: 1 }], ['CallOverflowed', 'CallAssigned']);
  });

  it('should offer a callback when the last step expires', () => {
    given([setPolicy(widening), queued('c1', 1_000)])
      .when({ type: 'TimeAdvanced', at: 61_000 })
      .then([{ fromStep: 0, toStep: 1 }, { callId: 'c1', queueId: 'q1', waitSeconds: 60 }], ['CallOverflowed', 'CallbackOffered']);
  });

  it('should move the call to another queue when the policy says so, keeping its wait', () => {
    const toSales = policy('q1', { steps: [step({ expirySeconds: 30 })], finalAction: { kind: 'move-to-queue', queueId: 'sales' } });
    given([setPolicy(toSales), ...readyAgent('a-sales', {}, 0, ['sales']), queued('c1', 0)])
      .when({ type: 'TimeAdvanced', at: 30_000 })
      .then([{ fromQueueId: 'q1', toQueueId: 'sales' }, { agentId: 'a-sales', queueId: 'sales', waitSeconds: 30 }], ['CallMovedToQueue', 'CallAssigned']);
  });
});

describe('When an agent becomes ready', () => {
  it('should take the call at the later step first, then the higher aged priority, then the longest wait', () => {
    const slow = policy('q2', { steps: [step({ expirySeconds: 5 }), step()] });
    given([setPolicy(policy('q1')), setPolicy(slow), queued('c-q1-old', 0, 'q1'), queued('c-q2', 1_000, 'q2'),
      { type: 'TimeAdvanced', at: 7_000 }, { type: 'AgentLoggedIn', agentId: 'a1', queueIds: ['q1', 'q2'], at: 7_000 }])
      .when({ type: 'AgentBecameReady', agentId: 'a1', at: 8_000 })
      .then([{ callId: 'c-q2', step: 1 }]);
  });

  it('should prefer the queue whose priority has aged higher', () => {
    const vip = policy('vip', { basePriority: 5 });
    const aging = policy('q1', { basePriority: 0, ageing: { everySeconds: 10, increment: 1, max: 10 } });
    given([setPolicy(vip), setPolicy(aging), queued('c-old', 0, 'q1'), queued('c-vip', 50_000, 'vip'),
      { type: 'AgentLoggedIn', agentId: 'a1', queueIds: ['q1', 'vip'], at: 0 }])
      .when({ type: 'AgentBecameReady', agentId: 'a1', at: 61_000 })
      .then([{ callId: 'c-old' }]);
  });
});

describe('When the offered agent does not answer', () => {
  it('should mark the agent not ready and re-offer the call to someone else', () => {
    given([setPolicy(), ...readyAgent('a1', { billing: 5 }, 0), ...readyAgent('a2', { billing: 3 }, 0), queued('c1', 1_000)])
      .when({ type: 'RingNoAnswer', callId: 'c1', agentId: 'a1', at: 16_000 })
      .then([{ agentId: 'a1', reason: 'ring-no-answer' }, { previousAgentId: 'a1', attempt: 2 }, { agentId: 'a2', attempt: 2 }],
        ['AgentMarkedNotReady', 'CallReoffered', 'CallAssigned']);
  });

  it('should not offer the call again to the same agent once they are ready again', () => {
    given([setPolicy(), ...readyAgent('a1', { billing: 5 }, 0), queued('c1', 1_000), { type: 'RingNoAnswer', callId: 'c1', agentId: 'a1', at: 16_000 }])
      .when({ type: 'AgentBecameReady', agentId: 'a1', at: 20_000 })
      .then([]);
  });
});

describe('When groups are merged', () => {
  const langPolicy = policy('q1', { steps: [step({ requirements: [billing(4), { skillId: 'cantonese', minProficiency: 2 }] })], essentialSkillIds: ['cantonese'] });

  it('should let the other group take the call, still requiring the essential skill', () => {
    given([setPolicy(langPolicy), ...readyAgent('a-sales', { cantonese: 3 }, 0, ['sales']), ...readyAgent('a-mandarin', {}, 0, ['sales']), queued('c1', 1_000)])
      .when({ type: 'GroupsMerged', groupId: 'g1', queueIds: ['q1', 'sales'], at: 2_000 })
      .then([{ agentId: 'a-sales', callId: 'c1' }]);
  });

  it('should stop routing across groups once they are split', () => {
    given([setPolicy(langPolicy), { type: 'GroupsMerged', groupId: 'g1', queueIds: ['q1', 'sales'], at: 0 },
      { type: 'GroupsSplit', groupId: 'g1', at: 500 }, ...readyAgent('a-sales', { cantonese: 3 }, 600, ['sales'])])
      .when(queued('c1', 1_000)).then([]);
  });
});

describe('When the strategy is not most-skilled', () => {
  const withStrategy = (strategy: 'least-occupied' | 'round-robin' | 'longest-idle') => setPolicy(policy('q1', { strategy }));
  const two = [...readyAgent('a1', {}, 0), ...readyAgent('a2', {}, 1_000)];

  it('least-occupied should pick the agent with less talk time', () => {
    given([withStrategy('least-occupied'), ...two, { type: 'CallReleased', callId: 'x', agentId: 'a1', talkSeconds: 300, at: 1_500 }])
      .when(queued('c1', 2_000)).then([{ agentId: 'a2' }]);
  });

  it('round-robin should skip the agent offered most recently', () => {
    given([withStrategy('round-robin'), ...two, queued('c0', 2_000), { type: 'CallAbandoned', callId: 'c0', at: 2_500 }])
      .when(queued('c1', 3_000)).then([{ agentId: 'a2' }]);
  });
});

describe('When the gateway could not carry out an assignment', () => {
  const twoAgents = [setPolicy(), ...readyAgent('a1', { billing: 5 }, 0), ...readyAgent('a2', { billing: 3 }, 0)];
  const refused = (at: number, offerSeq: number | null = 1, agentId = 'a1'): RoutingInput => ({ type: 'AssignmentFailed', callId: 'c1', agentId, offerSeq, at });

  it('should put the call back with its original wait and offer it to another agent', () => {
    given([...twoAgents, queued('c1', 1_000)])
      .when(refused(3_000))
      .then([{ callId: 'c1', previousAgentId: 'a1', reason: 'assignment-failed', attempt: 2 }, { agentId: 'a2', attempt: 2, waitSeconds: 2, offerSeq: 2 }],
        ['CallReoffered', 'CallAssigned']);
  });

  it('should not offer the call to the refused agent during the back-off, and offer it once the back-off is over', () => {
    const history = [setPolicy(), ...readyAgent('a1', { billing: 5 }, 0), queued('c1', 1_000), refused(3_000)];
    given(history).when({ type: 'TimeAdvanced', at: 3_000 + UNAVAILABLE_AGENT_HOLD_MS - 1 }).then([]);
    given(history).when({ type: 'TimeAdvanced', at: 3_000 + UNAVAILABLE_AGENT_HOLD_MS })
      .then([{ callId: 'c1', agentId: 'a1', attempt: 2, waitSeconds: 7 }], ['CallAssigned']);
  });

  it('should end the back-off early when the PBX says the agent is ready', () => {
    given([setPolicy(), ...readyAgent('a1', { billing: 5 }, 0), queued('c1', 1_000), refused(3_000)])
      .when({ type: 'AgentBecameReady', agentId: 'a1', at: 4_000 })
      .then([{ callId: 'c1', agentId: 'a1' }]);
  });

  it('should keep the back-off from making the agent ready when the PBX has since said not ready', () => {
    given([setPolicy(), ...readyAgent('a1', { billing: 5 }, 0), queued('c1', 1_000), refused(3_000),
      { type: 'AgentBecameNotReady', agentId: 'a1', reason: 'break', at: 4_000 }])
      .when({ type: 'TimeAdvanced', at: 20_000 }).then([]);
  });

  it('should ignore the failure of an offer already withdrawn or replaced', () => {
    const withdrawn = [...twoAgents, queued('c1', 1_000), { type: 'AgentStartedWrapUp', agentId: 'a1', callId: 'x', at: 2_000 } as RoutingInput];
    // c1 went to a2 as offer 2 when a1 left ready; a1's late failure of offer 1 changes nothing.
    given(withdrawn).when(refused(3_000)).then([]);
    given(withdrawn).when(refused(3_000, 1, 'a2')).then([]);
    given(withdrawn).when(refused(3_000, null, 'a2')).then([]);
    given(withdrawn).when(refused(3_000, 2, 'a2')).then([{ previousAgentId: 'a2', reason: 'assignment-failed' }], ['CallReoffered']);
  });
});

describe('When a call leaves the queue without an agent, or visits a queue again', () => {
  it('should forget a call whose queue timed out', () => {
    given([setPolicy(), queued('c1', 1_000), { type: 'CallQueueTimedOut', callId: 'c1', queueVisit: 1, at: 30_000 }, ...readyAgent('a1', { billing: 5 }, 31_000)])
      .when(queued('c2', 32_000)).then([{ callId: 'c2', agentId: 'a1' }]);
  });

  it('should free the agent a timed-out call was offered to', () => {
    given([setPolicy(), ...readyAgent('a1', { billing: 5 }, 0), queued('c1', 1_000), queued('c2', 2_000)])
      .when({ type: 'CallQueueTimedOut', callId: 'c1', queueVisit: 1, at: 30_000 })
      .then([{ callId: 'c2', agentId: 'a1', waitSeconds: 28 }], ['CallAssigned']);
  });

  it('should route a second visit of the same call as a new wait, and ignore an abandon of the first visit', () => {
    const second: RoutingInput = { type: 'CallQueued', callId: 'c1', queueId: 'q1', queueVisit: 2, at: 50_000 };
    const history = [setPolicy(), queued('c1', 1_000), second, { type: 'CallAbandoned', callId: 'c1', at: 51_000 } as RoutingInput];
    given(history).when({ type: 'CallQueued', callId: 'c1', queueId: 'q1', queueVisit: 2, at: 52_000 }).then([]);
    given([...history, ...readyAgent('a1', { billing: 5 }, 0).slice(0, 2)]).when({ type: 'AgentBecameReady', agentId: 'a1', at: 60_000 })
      .then([{ callId: 'c1', agentId: 'a1', waitSeconds: 10, attempt: 1 }]);
    given(history).when({ type: 'CallAbandoned', callId: 'c1', queueVisit: 2, at: 53_000 }).then([]);
  });
});

describe('When the PBX says the offered call is not waiting (call-not-waiting)', () => {
  const notWaiting = (at: number, offerSeq: number | null = 1, agentId = 'a1'): RoutingInput =>
    ({ type: 'AssignmentFailed', callId: 'c1', agentId, offerSeq, problem: 'call', at });
  const offeredToA1 = [setPolicy(), ...readyAgent('a1', { billing: 5 }, 0), queued('c1', 1_000)];

  it('should free the agent at once, for another waiting call, and hold the call back', () => {
    given([...offeredToA1, queued('c2', 2_000)])
      .when(notWaiting(3_000))
      .then([{ callId: 'c1', previousAgentId: 'a1', reason: 'call-not-waiting', attempt: 2 }, { callId: 'c1', previousAgentId: 'a1', attempt: 2, retryAt: 3_000 + CALL_NOT_WAITING_RETRY_MS },
        { callId: 'c2', agentId: 'a1', attempt: 1 }], ['CallReoffered', 'CallRetryScheduled', 'CallAssigned']);
  });

  it('should not offer the held-back call before the back-off, even to a free agent, and offer it with its wait after', () => {
    const history = [...offeredToA1, notWaiting(3_000)];
    given(history).when({ type: 'TimeAdvanced', at: 3_000 + CALL_NOT_WAITING_RETRY_MS - 1 }).then([]);
    given(history).when({ type: 'TimeAdvanced', at: 3_000 + CALL_NOT_WAITING_RETRY_MS })
      .then([{ callId: 'c1', agentId: 'a1', attempt: 2, waitSeconds: 2 + CALL_NOT_WAITING_RETRY_MS / 1000 }], ['CallAssigned']);
  });

  it('should offer it at once when the PBX reports it queued again in the same visit, keeping its wait', () => {
    given([...offeredToA1, notWaiting(3_000)])
      .when(queued('c1', 4_000))
      .then([{ callId: 'c1', agentId: 'a1', attempt: 2, waitSeconds: 3 }], ['CallAssigned']);
  });

  it('should forget the held-back call when it is answered, abandoned, or queued in a later visit', () => {
    const history = [...offeredToA1, notWaiting(3_000)];
    const later = { type: 'TimeAdvanced', at: 3_000 + CALL_NOT_WAITING_RETRY_MS } as const;
    given([...history, { type: 'CallAbandoned', callId: 'c1', queueVisit: 1, at: 3_500 }]).when(later).then([]);
    given([...history, ...readyAgent('a2', {}, 0, ['other']), { type: 'CallAnswered', callId: 'c1', agentId: 'a2', at: 3_500 }]).when(later).then([]);
    given([...history, { type: 'CallQueued', callId: 'c1', queueId: 'q1', queueVisit: 2, at: 3_500 }]).when(later).then([]);
  });

  it('should change nothing for a stale offer, and still hold the agent back when the agent is the problem', () => {
    given(offeredToA1).when(notWaiting(3_000, 7)).then([]);
    given([...offeredToA1, ...readyAgent('a2', { billing: 3 }, 0)])
      .when({ type: 'AssignmentFailed', callId: 'c1', agentId: 'a1', offerSeq: 1, problem: 'agent', at: 3_000 })
      .then([{ previousAgentId: 'a1', reason: 'assignment-failed' }, { agentId: 'a2' }], ['CallReoffered', 'CallAssigned']);
  });
});

describe("When an agent's queue membership changes after log-in", () => {
  it('should offer a waiting call of a queue the ready agent joined', () => {
    given([setPolicy(), ...readyAgent('a1', { billing: 5 }, 0, ['sales']), queued('c1', 1_000)])
      .when({ type: 'AgentQueuesChanged', agentId: 'a1', queueIds: ['sales', 'q1'], at: 2_000 })
      .then([{ callId: 'c1', agentId: 'a1', waitSeconds: 1 }], ['CallAssigned']);
  });

  it('should stop offering calls of a queue the agent left', () => {
    given([setPolicy(), ...readyAgent('a1', { billing: 5 }, 0, ['q1', 'sales']), { type: 'AgentQueuesChanged', agentId: 'a1', queueIds: ['sales'], at: 500 }])
      .when(queued('c1', 1_000)).then([]);
  });

  it('should keep a not-ready agent out of matching and use the new queues once ready', () => {
    const history: RoutingInput[] = [setPolicy(), ...readyAgent('a1', { billing: 5 }, 0, ['sales']), { type: 'AgentBecameNotReady', agentId: 'a1', reason: 'break', at: 100 }, queued('c1', 1_000)];
    given(history).when({ type: 'AgentQueuesChanged', agentId: 'a1', queueIds: ['q1'], at: 2_000 }).then([]);
    given([...history, { type: 'AgentQueuesChanged', agentId: 'a1', queueIds: ['q1'], at: 2_000 }])
      .when({ type: 'AgentBecameReady', agentId: 'a1', at: 3_000 }).then([{ callId: 'c1', agentId: 'a1' }]);
  });
});
