import { given, policy, readyAgent, step } from '../test-support/engine-spec';
import type { RoutingInput } from './routing-inputs';
import type { CallAssigned } from './routing-decision.events';

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
