import { canSeeAgent, canSeeSite, type Principal, type TeamRef } from '@switchboard/service-kit';
import type { Pool } from 'pg';
import type { LiveAgent } from './domain/agent-board';

/** Logged-in agents from the agent-state read model, with the tenant and site they work in. */
export async function queryBoardAgents(pool: Pool, now: Date, tenant?: string): Promise<LiveAgent[]> {
  const { rows } = await pool.query<{ agent_id: string; tenant: string; site: string; state: string; reason: string | null; secs: number; queue_ids: string[] }>(
    `select agent_id, tenant, site, state, reason, extract(epoch from $1::timestamptz - since)::float8 as secs, queue_ids from agent_state
     where logged_in and state is not null and ($2::text is null or tenant = $2) order by agent_id`, [now, tenant ?? null]);
  return rows.map((r) => ({ agentId: r.agent_id, tenant: r.tenant, site: r.site, state: r.state, reason: r.reason, secondsInState: Math.max(0, r.secs), queueIds: r.queue_ids }));
}

/**
 * Whose state a caller may watch: the org directory's team when known (service-kit's policy), otherwise the site the
 * agent works in (a supervisor sees the sites in their token, a director the tenant), always themself.
 */
export function visibleTo(me: Principal, agent: Pick<LiveAgent, 'agentId' | 'tenant' | 'site'>, team: TeamRef | undefined): boolean {
  if (agent.tenant !== me.tenant) return false;
  if (team !== undefined) return canSeeAgent(me, agent.agentId, team);
  return me.agentId === agent.agentId || canSeeSite(me, { tenant: agent.tenant, siteId: agent.site });
}
