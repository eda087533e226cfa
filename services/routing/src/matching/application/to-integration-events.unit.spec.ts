import { decode, Topics } from '@switchboard/contracts';
import { given, policy, readyAgent, step } from '../test-support/engine-spec';
import type { RoutingDecision } from '../domain/routing-decision.events';
import { PUBLISHED_DECISION_TYPES, toContract, toOutbox } from './to-integration-events';

const ctx = { tenant: 'acme', site: 'nanchang', deps: { newId: () => '0190a6f1-0000-7000-8000-000000000001', now: () => new Date(0) } };

describe('routing decisions as contract events', () => {
  it('should publish an assignment with its explanation on the routing assignment topic, keyed by call', () => {
    const decisions = given([{ type: 'PolicySet', policy: policy('q1', { steps: [step({ requirements: [{ skillId: 'billing', minProficiency: 2 }] })] }), at: 0 },
      ...readyAgent('a1', { billing: 4 }, 1_000)]).when({ type: 'CallQueued', callId: 'c1', queueId: 'q1', at: 5_000 }).decisions();
    const [row] = toOutbox(ctx, 'c1', decisions, 1);
    expect(row).toMatchObject({ topic: Topics.routingAssignment.name, key: 'c1' });
    const decoded = decode(row.value as Buffer);
    expect(decoded.status).toBe('event');
    expect(decoded.status === 'event' && decoded.event).toMatchObject({
      type: 'switchboard.routing.assignment.made.v1', sequence: 1, time: '1970-01-01T00:00:05.000Z',
      data: { callId: 'c1', agentId: 'a1', skillId: 'billing', explanation: { candidates: [{ agentId: 'a1', outcome: 'chosen' }] } },
    });
  });

  it('should keep decisions without a contract event internal', () => {
    const decisions = given([{ type: 'PolicySet', policy: policy('q1', { steps: [step({ expirySeconds: 10 })], finalAction: { kind: 'callback-offer' } }), at: 0 },
      { type: 'CallQueued', callId: 'c1', queueId: 'q1', at: 0 }]).when({ type: 'TimeAdvanced', at: 10_000 }).decisions();
    expect(decisions.map((d) => d.type)).toEqual(['CallbackOffered']);
    expect(toOutbox(ctx, 'c1', decisions, 1)).toEqual([]);
  });

  it('should publish a re-offer after a failed assignment and after call-not-waiting with the reason the contract names', () => {
    const history = [{ type: 'PolicySet', policy: policy('q1'), at: 0 } as const, ...readyAgent('a1', {}, 0), { type: 'CallQueued', callId: 'c1', queueId: 'q1', at: 1_000 } as const];
    const reasons = (problem: 'agent' | 'call') => {
      const decisions = given(history).when({ type: 'AssignmentFailed', callId: 'c1', agentId: 'a1', offerSeq: 1, problem, at: 2_000 }).decisions();
      return toOutbox(ctx, 'c1', decisions, 2).map((row) => decode(row.value as Buffer)).map((d) => d.status === 'event' && d.event.data);
    };
    expect(reasons('agent')).toEqual([expect.objectContaining({ callId: 'c1', previousAgentId: 'a1', reason: 'assignment-failed', attempt: 2 })]);
    expect(reasons('call')).toEqual([expect.objectContaining({ callId: 'c1', previousAgentId: 'a1', reason: 'call-not-waiting', attempt: 2 })]);
  });

  it('should name exactly the decisions that have a contract event as published (the sink counts sequences by it)', () => {
    const ref = { callId: 'c1', queueId: 'q1', policyId: 'p', policyVersion: 1, waitSeconds: 3, decidedAt: 1 };
    const one: RoutingDecision[] = [
      { type: 'CallAssigned', data: { ...ref, agentId: 'a1', step: 0, skillId: null, attempt: 1, offerSeq: 1, explanation: { strategy: 'longest-idle', summary: 's', candidatesConsidered: 1, candidates: [] } } },
      { type: 'CallOverflowed', data: { ...ref, fromStep: 0, toStep: 1 } },
      { type: 'CallMovedToQueue', data: { ...ref, fromQueueId: 'q1', toQueueId: 'q2', fromStep: 0 } },
      { type: 'CallbackOffered', data: { callId: 'c1', queueId: 'q1', waitSeconds: 3, decidedAt: 1 } },
      { type: 'CallUnroutable', data: { callId: 'c1', queueId: 'q1', reason: 'all-steps-expired', waitSeconds: 3, decidedAt: 1 } },
      { type: 'CallReoffered', data: { callId: 'c1', queueId: 'q1', previousAgentId: 'a1', reason: 'ring-no-answer', attempt: 2, decidedAt: 1 } },
      { type: 'CallRetryScheduled', data: { callId: 'c1', queueId: 'q1', previousAgentId: 'a1', attempt: 2, retryAt: 3_001, decidedAt: 1 } },
      { type: 'AgentMarkedNotReady', data: { agentId: 'a1', callId: 'c1', reason: 'ring-no-answer', decidedAt: 1 } },
    ];
    expect(one.filter((d) => toContract(d) !== null).map((d) => d.type)).toEqual([...PUBLISHED_DECISION_TYPES]);
  });
});
