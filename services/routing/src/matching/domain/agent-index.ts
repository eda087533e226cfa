import type { AgentStrategy } from './routing-policy';
import { agentKey, compareKeys, type AgentKey } from './ranking';
import type { LiveAgent } from './live-state';
import { SortedList } from './sorted-list';

export interface IndexedAgent {
  readonly key: AgentKey;
  readonly agent: LiveAgent;
}

/**
 * A pool is a skill (`s:<id>`) or a queue membership (`q:<id>`). Team leaders sit in pools of their own (`ls:`,
 * `lq:`): they are a last resort, looked at only when no regular agent is eligible.
 */
export const skillPool = (skillId: string, leaders = false) => (leaders ? `ls:${skillId}` : `s:${skillId}`);
export const queuePool = (queueId: string, leaders = false) => (leaders ? `lq:${queueId}` : `q:${queueId}`);
export const isTeamLeader = (agent: LiveAgent) => agent.leaderShare !== undefined;

const byKey = (a: IndexedAgent, b: IndexedAgent) => compareKeys(a.key, b.key);

/**
 * Ready agents per pool, each pool ordered by each strategy in use. Lists are built on first use, then kept up to
 * date on every agent change; an agent's key never changes while it sits in a list (see ranking.ts).
 */
export class ReadyAgentIndex {
  private readonly pools = new Map<string, Map<AgentStrategy, SortedList<IndexedAgent>>>();
  private leadersReady = 0;

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

  /** Whether any team leader is ready (else the last-resort lists need no look). */
  hasReadyLeaders(): boolean {
    return this.leadersReady > 0;
  }

  changed(before: LiveAgent | undefined, after: LiveAgent | undefined): void {
    if (before !== undefined && isReady(before)) {
      if (isTeamLeader(before)) this.leadersReady--;
      this.each(before, (list, pool, strategy) => list.remove(entry(before, pool, strategy)));
    }
    if (after !== undefined && isReady(after)) {
      if (isTeamLeader(after)) this.leadersReady++;
      this.each(after, (list, pool, strategy) => list.insert(entry(after, pool, strategy)));
    }
  }

  private each(agent: LiveAgent, f: (list: SortedList<IndexedAgent>, pool: string, strategy: AgentStrategy) => void): void {
    const [skills, queues] = isTeamLeader(agent) ? ['ls:', 'lq:'] : ['s:', 'q:'];
    const visit = (pool: string) => this.pools.get(pool)?.forEach((list, strategy) => f(list, pool, strategy));
    for (const skillId of agent.skills.keys()) visit(skills + skillId);
    for (const queueId of agent.queueIds) visit(queues + queueId);
  }
}

const isReady = (agent: LiveAgent) => agent.availability.status === 'ready';

function memberOf(agent: LiveAgent, pool: string): boolean {
  const leaders = pool.startsWith('l');
  if (leaders !== isTeamLeader(agent)) return false;
  const kind = leaders ? pool.slice(1) : pool;
  const id = kind.slice(2);
  return kind.startsWith('s:') ? agent.skills.has(id) : agent.queueIds.has(id);
}

/** In a skill pool, `most-skilled` ranks by that skill; queue pools have no skill to rank by. */
function entry(agent: LiveAgent, pool: string, strategy: AgentStrategy): IndexedAgent {
  // `s:<id>` or `ls:<id>` name a skill; `q:`/`lq:` pools have none.
  const skillFrom = pool[0] === 's' ? 2 : pool[1] === 's' ? 3 : 0;
  return { key: agentKey(agent, strategy, skillFrom === 0 ? null : pool.slice(skillFrom)), agent };
}
