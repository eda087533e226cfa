import { DEFAULT_STATE_LIMITS, evaluateStateLimits, type AgentStateSnapshot } from './agent-state-limits';

const MIN = 60_000;
const notReady = (agentId: string, reason: string, since: number, teamId = 't1', awayApprovedUntil: number | null = null): AgentStateSnapshot =>
  ({ agentId, teamId, state: { status: 'not-ready', reason, since }, awayApprovedUntil });
const evaluate = (agents: AgentStateSnapshot[], now: number, raised = new Set<string>()) => evaluateStateLimits(agents, DEFAULT_STATE_LIMITS, now, raised);
const limits = (r: ReturnType<typeof evaluate>) => r.alerts.map((a) => (a.type === 'AgentStateLimitExceeded' ? `${a.data.agentId}:${a.data.limit}` : `${a.data.teamId}:team-break`));

describe('agent-state limits', () => {
  it('should alert on busy longer than 5 minutes, not at 5 minutes', () => {
    expect(limits(evaluate([notReady('a1', 'busy', 0)], 5 * MIN))).toEqual([]);
    expect(limits(evaluate([notReady('a1', 'busy', 0)], 5 * MIN + 1000))).toEqual(['a1:busy']);
  });

  it('should alert on a break longer than 10 minutes and a meal longer than 30', () => {
    expect(limits(evaluate([notReady('a1', 'break', 0), notReady('a2', 'meal', 0)], 11 * MIN))).toEqual(['a1:break']);
    expect(limits(evaluate([notReady('a2', 'meal', 0)], 31 * MIN))).toEqual(['a2:meal']);
  });

  it('should alert when a third agent of a team goes on break', () => {
    const team = [notReady('a1', 'break', 0), notReady('a2', 'break', MIN)];
    expect(limits(evaluate(team, 2 * MIN))).toEqual([]);
    expect(limits(evaluate([...team, notReady('a3', 'break', 2 * MIN), notReady('b1', 'break', 0, 't2')], 2 * MIN))).toEqual(['t1:team-break']);
  });

  it('should alert on being away more than 15 minutes without approval, but not with it or in a meeting', () => {
    expect(limits(evaluate([notReady('a1', 'busy', 0)], 16 * MIN))).toEqual(['a1:busy', 'a1:away-without-approval']);
    expect(limits(evaluate([notReady('a1', 'busy', 0, 't1', 60 * MIN)], 16 * MIN))).toEqual(['a1:busy']);
    expect(limits(evaluate([notReady('a1', 'meeting', 0)], 60 * MIN))).toEqual([]);
  });

  it('should raise each alert once per episode, and again for a new episode', () => {
    const first = evaluate([notReady('a1', 'busy', 0)], 6 * MIN);
    expect(limits(evaluate([notReady('a1', 'busy', 0)], 7 * MIN, first.raised))).toEqual([]);
    expect(limits(evaluate([notReady('a1', 'busy', 10 * MIN)], 16 * MIN, first.raised))).toEqual(['a1:busy']);
  });
});
