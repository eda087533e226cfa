import type { Pool } from 'pg';

export interface QueueLive {
  readonly queueId: string;
  readonly waitingCalls: number;
  readonly longestWaitSeconds: number;
  readonly agents: Readonly<Record<'ready' | 'on-call' | 'not-ready' | 'wrap-up', number>>;
}

export interface AgentLive {
  readonly agentId: string;
  readonly state: string;
  readonly reason: string | null;
  readonly secondsInState: number;
  readonly queueIds: readonly string[];
}

// A call with neither answer nor abandon is waiting; one older than this lost its end event and is not shown.
const STALE_WAIT = '4 hours';

/** `tenant`: only that tenant's calls and agents (a wallboard shows its caller's tenant only); undefined = all. */
export async function queryQueuesLive(pool: Pool, now: Date, queueIds?: readonly string[], tenant?: string): Promise<QueueLive[]> {
  const waiting = await pool.query<{ queue_id: string; n: number; longest: number }>(
    `select queue_id, count(*)::int as n, extract(epoch from $1::timestamptz - min(queued_at))::float8 as longest from call_facts
     where answered_at is null and abandoned_at is null and timed_out_at is null and queued_at is not null and queued_at > $1::timestamptz - interval '${STALE_WAIT}'
       and ($2::text[] is null or queue_id = any($2)) and ($3::text is null or tenant = $3) group by 1`, [now, queueIds ?? null, tenant ?? null]);
  const agents = await pool.query<{ queue_id: string; state: string; n: number }>(
    `select q as queue_id, state, count(*)::int as n from agent_state, unnest(queue_ids) q
     where logged_in and state is not null and ($1::text[] is null or q = any($1)) and ($2::text is null or tenant = $2) group by 1, 2`, [queueIds ?? null, tenant ?? null]);
  const byQueue = new Map<string, { waitingCalls: number; longestWaitSeconds: number; agents: Record<string, number> }>();
  const entry = (q: string) => byQueue.get(q) ?? byQueue.set(q, { waitingCalls: 0, longestWaitSeconds: 0, agents: {} }).get(q)!;
  for (const r of waiting.rows) Object.assign(entry(r.queue_id), { waitingCalls: r.n, longestWaitSeconds: Math.max(0, r.longest) });
  for (const r of agents.rows) entry(r.queue_id).agents[r.state] = r.n;
  return [...byQueue.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([queueId, v]) => ({
    queueId, waitingCalls: v.waitingCalls, longestWaitSeconds: v.longestWaitSeconds,
    agents: { ready: v.agents.ready ?? 0, 'on-call': v.agents['on-call'] ?? 0, 'not-ready': v.agents['not-ready'] ?? 0, 'wrap-up': v.agents['wrap-up'] ?? 0 },
  }));
}

export async function queryAgentsLive(pool: Pool, now: Date, agentIds?: readonly string[], tenant?: string): Promise<AgentLive[]> {
  const { rows } = await pool.query<{ agent_id: string; state: string; reason: string | null; secs: number; queue_ids: string[] }>(
    `select agent_id, state, reason, extract(epoch from $1::timestamptz - since)::float8 as secs, queue_ids from agent_state
     where logged_in and state is not null and ($2::text[] is null or agent_id = any($2)) and ($3::text is null or tenant = $3) order by agent_id`,
  [now, agentIds ?? null, tenant ?? null]);
  return rows.map((r) => ({ agentId: r.agent_id, state: r.state, reason: r.reason, secondsInState: Math.max(0, r.secs), queueIds: r.queue_ids }));
}

/** Calls waiting at `at` by their own event times: queued by then, with no outcome by then. */
export async function queryWaitingAt(pool: Pool, at: Date, queueIds?: readonly string[], tenant?: string): Promise<Map<string, { n: number; longest: number }>> {
  const { rows } = await pool.query<{ queue_id: string; n: number; longest: number }>(
    `select queue_id, count(*)::int as n, extract(epoch from $1::timestamptz - min(queued_at))::float8 as longest from call_facts
     where queued_at <= $1::timestamptz and queued_at > $1::timestamptz - interval '${STALE_WAIT}' and queue_id is not null
       and not coalesce(answered_at <= $1 or abandoned_at <= $1 or timed_out_at <= $1, false)
       and ($2::text[] is null or queue_id = any($2)) and ($3::text is null or tenant = $3) group by 1`, [at, queueIds ?? null, tenant ?? null]);
  return new Map(rows.map((r) => [r.queue_id, { n: r.n, longest: Math.max(0, r.longest) }]));
}

/**
 * Each agent's state at `at`: the closed segment covering it, or the state they are still in if it began by then.
 * Queues served are today's (the read model keeps no history of queue membership).
 */
export async function queryAgentsAt(pool: Pool, tables: { state: string; segments: string }, at: Date, tenant?: string): Promise<AgentLive[]> {
  const { rows } = await pool.query<{ agent_id: string; state: string; reason: string | null; secs: number; queue_ids: string[] }>(
    `with s as (
       select tenant, agent_id, state, reason, started_at as since from "${tables.segments}" where started_at <= $1 and ended_at > $1
       union all
       select tenant, agent_id, coalesce(state, 'ready'), reason, since from "${tables.state}" where logged_in and since <= $1)
     select distinct on (s.tenant, s.agent_id) s.agent_id, s.state, s.reason, extract(epoch from $1::timestamptz - s.since)::float8 as secs, a.queue_ids
     from s join "${tables.state}" a on a.tenant = s.tenant and a.agent_id = s.agent_id where ($2::text is null or s.tenant = $2)
     order by s.tenant, s.agent_id, s.since desc`, [at, tenant ?? null]);
  return rows.map((r) => ({ agentId: r.agent_id, state: r.state, reason: r.reason, secondsInState: Math.max(0, r.secs), queueIds: r.queue_ids }));
}
