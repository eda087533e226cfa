import { InvalidArgumentError } from '@switchboard/domain-errors';
import type { Pool } from 'pg';
import type { AgentTimeAggregate } from '../../kpis/domain/kpi';

export interface AgentTimeQuery {
  readonly start: Date;
  readonly end: Date;
  readonly agentIds?: readonly string[];
  /** Cut into intervals of this length (aligned in the site's zone); undefined = one bucket for the range. */
  readonly intervalSeconds?: number;
  readonly timeZone: string;
  /** An open state counts up to the range end or this instant, whichever is earlier. */
  readonly now: Date;
  /** Whose agents: agent ids are only unique within a tenant, so a report never spans tenants. */
  readonly tenant: string;
}

export interface AgentTimeRow {
  readonly agentId: string;
  readonly bucketStart: Date;
  readonly time: AgentTimeAggregate;
}

/** The active agent_state version's tables: current state per agent, and its closed segments. */
export async function activeTables(pool: Pool): Promise<{ state: string; segments: string } | undefined> {
  const { rows } = await pool.query<{ v: number }>(`select active_version as v from es_projections where name = 'agent_state'`);
  return rows[0] ? { state: `agent_state_v${rows[0].v}`, segments: `agent_state_v${rows[0].v}_segments` } : undefined;
}

// Closed segments, plus the state each logged-in agent is in now, open until the range end (or $6 now, if earlier): an
// agent ready since 09:00 has ready time in every interval after it, not only once they leave the state. An agent
// logged in without a state change since is ready (logins start ready; a pause at login is a state change).
// Each segment is clipped to every bucket it overlaps.
const SQL = (t: { state: string; segments: string }) => `
  with b as (
    select g as bstart, least(g + make_interval(secs => $4::int), $2::timestamptz) as bend
    from generate_series(date_bin(make_interval(secs => $4::int), $1::timestamptz, timestamp '2000-01-01' at time zone $5),
                         $2::timestamptz - interval '1 microsecond', make_interval(secs => $4::int)) g),
  seg as (
    select tenant, agent_id, state, reason, started_at, ended_at from "${t.segments}"
    union all
    select tenant, agent_id, coalesce(state, 'ready'), reason, since, least($2::timestamptz, $6::timestamptz) from "${t.state}"
    where logged_in and since < least($2::timestamptz, $6::timestamptz))
  select s.agent_id, b.bstart, s.state, coalesce(s.reason, '') as reason,
    sum(extract(epoch from least(s.ended_at, b.bend, $2::timestamptz) - greatest(s.started_at, b.bstart, $1::timestamptz)))::float8 as secs
  from seg s join b on s.started_at < b.bend and s.ended_at > b.bstart
  where s.started_at < $2 and s.ended_at > $1 and ($3::text[] is null or s.agent_id = any($3))
    and s.tenant = $7
  group by 1, 2, 3, 4 order by 1, 2`;

type Row = { agent_id: string; bstart: Date; state: string; reason: string; secs: number };

export async function queryAgentTime(pool: Pool, q: AgentTimeQuery): Promise<AgentTimeRow[]> {
  if (typeof q.tenant !== 'string' || q.tenant === '') throw new InvalidArgumentError('REPORTING.TENANT_REQUIRED', 'tenant: required for agent time (agent ids are per tenant)', [{ field: 'tenant', description: 'the tenant whose agents to report' }]);
  const tables = await activeTables(pool);
  if (tables === undefined) return [];
  const seconds = q.intervalSeconds ?? Math.ceil((q.end.getTime() - q.start.getTime()) / 1000);
  const { rows } = await pool.query<Row>(SQL(tables), [q.start, q.end, q.agentIds ?? null, seconds, q.timeZone, q.now, q.tenant]);
  const byKey = new Map<string, { agentId: string; bucketStart: Date; time: Mutable }>();
  for (const r of rows) {
    const key = `${r.agent_id}|${r.bstart.toISOString()}`;
    const entry = byKey.get(key) ?? { agentId: r.agent_id, bucketStart: q.intervalSeconds ? r.bstart : q.start, time: empty() };
    add(entry.time, r);
    byKey.set(key, entry);
  }
  return [...byKey.values()];
}

type Mutable = { readySeconds: number; onCallSeconds: number; wrapUpSeconds: number; notReadySeconds: Record<string, number> };
const empty = (): Mutable => ({ readySeconds: 0, onCallSeconds: 0, wrapUpSeconds: 0, notReadySeconds: {} });

function add(t: Mutable, r: Row): void {
  if (r.state === 'ready') t.readySeconds += r.secs;
  else if (r.state === 'on-call') t.onCallSeconds += r.secs;
  else if (r.state === 'wrap-up') t.wrapUpSeconds += r.secs;
  else if (r.state === 'not-ready') t.notReadySeconds[r.reason] = (t.notReadySeconds[r.reason] ?? 0) + r.secs;
}

export const sumAgentTime = (list: readonly AgentTimeAggregate[]): AgentTimeAggregate => {
  const t = empty();
  for (const a of list) {
    t.readySeconds += a.readySeconds; t.onCallSeconds += a.onCallSeconds; t.wrapUpSeconds += a.wrapUpSeconds;
    for (const [k, v] of Object.entries(a.notReadySeconds)) t.notReadySeconds[k] = (t.notReadySeconds[k] ?? 0) + v;
  }
  return t;
};
