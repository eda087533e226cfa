import type { Rng } from './prng';
import type { QueueStrategy } from './scenario';
import type { QueueMembership } from './sim-facts';

export interface RoutableAgent {
  readonly agentId: string;
  readonly status: string;
  readonly plan: { readonly queues: readonly QueueMembership[] };
  lastCallEndAt: number;
  callsTaken: number;
}

/**
 * Picks the member to ring, like app_queue: only members that are ready, strictly the lowest penalty among them,
 * then the queue strategy. `rr` is the queue's rrmemory position (member index last rung).
 */
export function chooseAgent<A extends RoutableAgent>(
  strategy: QueueStrategy,
  members: readonly A[],
  queue: string,
  rr: { lastIndex: number },
  rng: Rng,
): A | null {
  let bestPenalty = Infinity;
  const candidates: number[] = [];
  for (let i = 0; i < members.length; i++) {
    const member = members[i];
    if (member.status !== 'ready') continue;
    const penalty = penaltyIn(member, queue);
    if (penalty < bestPenalty) {
      bestPenalty = penalty;
      candidates.length = 0;
    }
    if (penalty === bestPenalty) candidates.push(i);
  }
  if (candidates.length === 0) return null;
  const index = pickIndex(strategy, members, candidates, rr, rng);
  rr.lastIndex = index;
  return members[index];
}

function pickIndex<A extends RoutableAgent>(
  strategy: QueueStrategy,
  members: readonly A[],
  candidates: readonly number[],
  rr: { lastIndex: number },
  rng: Rng,
): number {
  switch (strategy) {
    case 'linear':
      return candidates[0];
    case 'random':
      return candidates[Math.floor(rng.next() * candidates.length)];
    case 'leastrecent':
      return minBy(candidates, (i) => members[i].lastCallEndAt);
    case 'fewestcalls':
      return minBy(candidates, (i) => members[i].callsTaken);
    case 'rrmemory':
      return candidates.find((i) => i > rr.lastIndex) ?? candidates[0];
    default: {
      const _exhaustive: never = strategy;
      return _exhaustive;
    }
  }
}

function minBy(candidates: readonly number[], key: (i: number) => number): number {
  let best = candidates[0];
  for (const i of candidates) if (key(i) < key(best)) best = i;
  return best;
}

export function penaltyIn(agent: RoutableAgent, queue: string): number {
  for (const membership of agent.plan.queues) if (membership.queue === queue) return membership.penalty;
  return Infinity;
}
