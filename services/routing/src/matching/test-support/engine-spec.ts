import { RoutingEngine } from '../domain/routing-engine';
import { NaiveMatcher } from '../domain/naive-matcher';
import type { RoutingInput } from '../domain/routing-inputs';
import type { RoutingDecision } from '../domain/routing-decision.events';
import type { PolicyStep, RoutingPolicy } from '../domain/routing-policy';

export type Engines = 'indexed' | 'naive';

/**
 * given(inputs).when(input).then(decisions) for the engine, run against both matchers so every scenario is also an
 * oracle check. `then` compares decisions without their explanations; `thenExplained` hands them over whole.
 */
export function given(history: readonly RoutingInput[]) {
  return {
    when(input: RoutingInput) {
      const run = (kind: Engines) => {
        const engine = kind === 'indexed' ? new RoutingEngine() : new RoutingEngine((v) => new NaiveMatcher(v));
        history.forEach((i) => engine.handle(i));
        return engine.handle(input);
      };
      return {
        then(expected: readonly Partial<RoutingDecision['data']>[] & unknown[], types?: readonly RoutingDecision['type'][]): void {
          for (const kind of ['indexed', 'naive'] as const) {
            const actual = run(kind);
            if (types !== undefined) expect(actual.map((d) => d.type)).toEqual(types);
            expect(actual.map((d) => d.data)).toEqual(expected.map((e) => expect.objectContaining(e)));
          }
        },
        decisions: (kind: Engines = 'indexed') => run(kind),
      };
    },
  };
}

export const step = (p: Partial<PolicyStep> = {}): PolicyStep =>
  ({ requirements: [], expirySeconds: null, extraQueueIds: [], teamIds: [], agentIds: [], ...p });

export const policy = (queueId: string, p: Partial<RoutingPolicy> = {}): RoutingPolicy => ({
  policyId: `pol-${queueId}`, version: 1, queueId, strategy: 'most-skilled', steps: [step()], finalAction: { kind: 'keep-waiting' },
  basePriority: 0, ageing: { everySeconds: 0, increment: 0, max: 0 }, essentialSkillIds: [], ...p,
});

/** An agent with a profile, logged in to `queues` and ready at `readyAt`. */
export function readyAgent(agentId: string, skills: Record<string, number>, readyAt: number, queues = ['q1'], teamId = 't1'): RoutingInput[] {
  return [
    { type: 'AgentProfileChanged', agentId, profile: { teamId, skills: new Map(Object.entries(skills)) }, at: 0 },
    { type: 'AgentLoggedIn', agentId, queueIds: queues, at: 0 },
    { type: 'AgentBecameReady', agentId, at: readyAt },
  ];
}
