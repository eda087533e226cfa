import type { AgentStrategy } from './routing-policy';
import { agentKey, compareKeys, type AgentKey } from './ranking';
import type { LiveAgent } from './live-state';
import { SortedList } from './sorted-list';

export interface IndexedAgent {
  readonly key: AgentKey;
  readonly agent: LiveAgent;
}

/** A pool is a skill (`s:<id>`) or a queue membership (`q:<id>`). */
export const skillPool = (skillId: string) => `s:${skillId}`;
export const queuePool = (queueId: string) => `q:${queueId}`;

const byKey = (a: IndexedAgent, b: IndexedAgent) => compareKeys(a.key, b.key);

/**
 * Ready agents per pool, each pool ordered by each strategy in use. Lists are built on first use, then kept up to
 * date on every agent change; an agent's key never changes while it sits in a list (see ranking.ts).
 */
export class ReadyAgentIndex {
  private readonly pools = new Map<string, Map<AgentStrategy, SortedList<IndexedAgent>>>();

  constructor(private readonly allAgents: () => Iterable<LiveAgent>) {}

  list(pool: string, strategy: AgentStrategy): SortedList<IndexedAgent> {
    let byStrategy = this.pools.get(pool);
    if (byStrategy === undefined) this.pools.set(pool, (byStrategy = new Map()));
    let list = byStrategy.get(strategy);
    if (list === undefined) {
      list = new SortedList(byKey);
      for (const agent of this.allAgents()) if (isReady(agent) && memberOf(agent, pool)) list.insert(entry(agent, pool, strategy));
      byStrategy.set(strategy, list);
    }
    return list;
  }

  changed(before: LiveAgent | undefined, after: LiveAgent | undefined): void {
    if (before !== undefined && isReady(before)) this.each(before, (list, pool, strategy) => list.remove(entry(before, pool, strategy)));
    if (after !== undefined && isReady(after)) this.each(after, (list, pool, strategy) => list.insert(entry(after, pool, strategy)));
  }

  private each(agent: LiveAgent, f: (list: SortedList<IndexedAgent>, pool: string, strategy: AgentStrategy) => void): void {
    const visit = (pool: string) => this.pools.get(pool)?.forEach((list, strategy) => f(list, pool, strategy));
    for (const skillId of agent.skills.keys()) visit(skillPool(skillId));
    for (const queueId of agent.queueIds) visit(queuePool(queueId));
  }
}

const isReady = (agent: LiveAgent) => agent.availability.status === 'ready';

function memberOf(agent: LiveAgent, pool: string): boolean {
  const id = pool.slice(2);
  return pool.startsWith('s:') ? agent.skills.has(id) : agent.queueIds.has(id);
}

/** In a skill pool, `most-skilled` ranks by that skill; queue pools have no skill to rank by. */
function entry(agent: LiveAgent, pool: string, strategy: AgentStrategy): IndexedAgent {
  return { key: agentKey(agent, strategy, pool.startsWith('s:') ? pool.slice(2) : null), agent };
}
