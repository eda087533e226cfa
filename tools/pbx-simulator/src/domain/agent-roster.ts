import { chance, sample } from './distributions';
import type { Rng } from './prng';
import { timeOfDaySeconds, type AgentGroupSpec, type Scenario } from './scenario';
import type { QueueMembership } from './sim-facts';

/** One agent's plan for the day, drawn once from the scenario so the run itself stays a pure consequence of it. */
export interface AgentPlan {
  readonly agentId: string;
  readonly group: AgentGroupSpec;
  readonly queues: readonly QueueMembership[];
  readonly loginAtMs: number;
  readonly logoutAtMs: number;
  readonly leavesEarly: boolean;
  readonly breaks: readonly { readonly atMs: number; readonly minutes: number; readonly reason: string }[];
}

export function planAgents(scenario: Scenario, dayStartMs: number, rng: Rng): AgentPlan[] {
  const plans: AgentPlan[] = [];
  for (const group of scenario.agentGroups) {
    for (let i = 0; i < group.count; i++) {
      const agentId = String(group.firstExtension + i);
      plans.push(planAgent(group, agentId, dayStartMs, rng.fork(`agent:${agentId}`)));
    }
  }
  return plans;
}

function planAgent(group: AgentGroupSpec, agentId: string, dayStartMs: number, rng: Rng): AgentPlan {
  const minute = 60_000;
  const jitter = (group.shiftStartJitterMinutes ?? 0) * rng.next() * minute;
  const lateBy = chance(group.lateness.probability, rng) ? Math.max(0, sample(group.lateness.minutes, rng)) * minute : 0;
  const leavesEarly = chance(group.earlyLogoff.probability, rng);
  const earlyBy = leavesEarly ? Math.max(0, sample(group.earlyLogoff.minutes, rng)) * minute : 0;
  const loginAtMs = dayStartMs + timeOfDaySeconds(group.shift.start) * 1000 + jitter + lateBy;
  const logoutAtMs = Math.max(loginAtMs + minute, dayStartMs + timeOfDaySeconds(group.shift.end) * 1000 - earlyBy);
  const breaks = group.breaks
    .map((b) => ({
      atMs: dayStartMs + timeOfDaySeconds(b.at) * 1000 + (b.jitterMinutes ?? 0) * rng.next() * minute,
      minutes: b.minutes,
      reason: b.reason,
    }))
    .filter((b) => b.atMs > loginAtMs && b.atMs < logoutAtMs);
  const queues = Object.entries(group.skills).map(([queue, penalty]) => ({ queue, penalty }));
  return { agentId, group, queues, loginAtMs: Math.round(loginAtMs), logoutAtMs: Math.round(logoutAtMs), leavesEarly: leavesEarly && earlyBy > 0, breaks };
}
