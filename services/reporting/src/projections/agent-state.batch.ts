import { AgentLoggedIn, AgentLoggedOut, AgentQueueMembershipChanged, AgentStateChanged, type AnyEvent } from '@switchboard/contracts';
import type { PoolClient } from 'pg';

/** One agent_state row, timestamps as epoch milliseconds. */
export interface AgentRow {
  agent_id: string; tenant: string; site: string; logged_in: boolean; state: string | null; reason: string | null; call_id: string | null;
  since: number | null; queue_ids: string[]; queues_as_of: number | null;
  /** Time of the last log-in, log-out or state change applied; null while only membership changes were seen. */
  as_of: number | null;
}

/** A closed state segment, keyed by the event that closed it. */
export interface Segment { event_id: string; tenant: string; agent_id: string; state: string; reason: string | null; started_at: number; ended_at: number }

type StateLike = { status: string; reason?: string; callId?: string };

/**
 * The per-event SQL of `agent-state.projection.ts` as a pure step: the row and the segment one event leaves. A state
 * change or log-in/out older than the row's `as_of` changes nothing; a membership change is ordered by `queues_as_of`
 * and leaves `as_of` alone. `row` is the event's tenant's row for its agent.
 */
export function foldAgentEvent(row: AgentRow | undefined, e: AnyEvent): { row: AgentRow | undefined; segment?: Segment } {
  const at = Date.parse(e.time);
  if (e.type === AgentStateChanged.type) {
    const prev = e.data.previous as StateLike;
    const cur = e.data.current as StateLike;
    const segment: Segment = { event_id: e.id, tenant: e.tenant, agent_id: e.data.agentId, state: prev.status, reason: prev.reason ?? null,
      started_at: new Date(at - e.data.previousStateSeconds * 1000).getTime(), ended_at: at };
    const base = row ?? newRow(e, e.data.agentId, at);
    if (row && newerThan(row, at)) return { row, segment };
    return { row: { ...base, logged_in: true, state: cur.status, reason: cur.reason ?? null, call_id: cur.callId ?? null, since: at, as_of: at }, segment };
  }
  if (e.type === AgentLoggedIn.type) {
    if (!row) return { row: { ...newRow(e, e.data.agentId, at), logged_in: true, since: at, queue_ids: e.data.queueIds, queues_as_of: at } };
    if (newerThan(row, at)) return { row };
    const keepQueues = row.queues_as_of !== null && row.queues_as_of > at;
    return { row: { ...row, logged_in: true, state: null, reason: null, call_id: null, since: at,
      queue_ids: keepQueues ? row.queue_ids : e.data.queueIds, queues_as_of: keepQueues ? row.queues_as_of : at, as_of: at } };
  }
  if (e.type === AgentQueueMembershipChanged.type) {
    if (!row) return { row: { ...newRow(e, e.data.agentId, null), queue_ids: e.data.queueIds, queues_as_of: at } };
    if (row.queues_as_of !== null && row.queues_as_of > at) return { row };
    return { row: { ...row, queue_ids: e.data.queueIds, queues_as_of: at } };
  }
  if (e.type === AgentLoggedOut.type) {
    if (!row || newerThan(row, at)) return { row };
    const segment: Segment | undefined = row.logged_in && row.state !== null && row.since !== null && row.since < at
      ? { event_id: e.id, tenant: row.tenant, agent_id: row.agent_id, state: row.state, reason: row.reason, started_at: row.since, ended_at: at } : undefined;
    return { row: { ...row, logged_in: false, state: null, reason: null, call_id: null, since: at, as_of: at }, ...(segment ? { segment } : {}) };
  }
  return { row };
}

const newerThan = (row: AgentRow, at: number) => row.as_of !== null && row.as_of > at;

const newRow = (e: AnyEvent, agentId: string, asOf: number | null): AgentRow => ({
  agent_id: agentId, tenant: e.tenant, site: e.site, logged_in: false, state: null, reason: null, call_id: null,
  since: null, queue_ids: [], queues_as_of: null, as_of: asOf,
});

/** An agent id is unique within its tenant only. */
const keyOf = (tenant: string, agentId: string) => `${tenant}\u0000${agentId}`;

const agentIdOf = (e: AnyEvent): string | undefined =>
  e.type === AgentStateChanged.type || e.type === AgentLoggedIn.type || e.type === AgentLoggedOut.type || e.type === AgentQueueMembershipChanged.type
    ? e.data.agentId : undefined;

const ms = (v: Date | null) => (v === null ? null : v.getTime());
const ts = (column: string) => `to_timestamp(u.${column} / 1000.0)`;

/**
 * Set-based `applyBatch` of agent_state: three statements whatever the chunk holds. Lock and load the chunk's agents'
 * rows, fold each event into its agent's row in delivery order (`foldAgentEvent`), write the touched rows back with one
 * `insert … select from unnest(…) on conflict do update` and the closed segments with one `insert … on conflict do nothing`.
 */
export async function applyAgentStateBatch(client: PoolClient, events: readonly AnyEvent[], t: string, segments: string): Promise<void> {
  const keys = [...new Set(events.flatMap((e) => { const id = agentIdOf(e); return id === undefined ? [] : [keyOf(e.tenant, id)]; }))].sort();
  if (keys.length === 0) return;
  const pairs = keys.map((k) => k.split('\u0000') as [string, string]);
  const { rows } = await client.query(`select a.* from "${t}" a join unnest($1::text[], $2::text[]) k(tenant, agent_id)
    on a.tenant = k.tenant and a.agent_id = k.agent_id order by a.tenant, a.agent_id for update of a`, [pairs.map(([tenant]) => tenant), pairs.map(([, agentId]) => agentId)]);
  const agents = new Map<string, AgentRow>(rows.map((r) => [keyOf(r.tenant, r.agent_id),
    { ...r, since: ms(r.since), queues_as_of: ms(r.queues_as_of), as_of: ms(r.as_of) } as AgentRow]));
  const touched = new Set<string>();
  const closed: Segment[] = [];
  for (const e of events) {
    const agentId = agentIdOf(e);
    if (agentId === undefined) continue;
    const key = keyOf(e.tenant, agentId);
    const before = agents.get(key);
    const { row, segment } = foldAgentEvent(before, e);
    if (segment) closed.push(segment);
    if (row && row !== before) {
      agents.set(key, row);
      touched.add(key);
    }
  }
  const written = [...touched].map((id) => agents.get(id)!);
  if (written.length) {
    const column = <K extends keyof AgentRow>(k: K) => written.map((r) => r[k]);
    await client.query(`insert into "${t}" (agent_id, tenant, site, logged_in, state, reason, call_id, since, queue_ids, queues_as_of, as_of)
      select u.agent_id, u.tenant, u.site, u.logged_in, u.state, u.reason, u.call_id, ${ts('since')}, array(select jsonb_array_elements_text(u.queue_ids)),
        ${ts('queues_as_of')}, ${ts('as_of')}
      from unnest($1::text[], $2::text[], $3::text[], $4::boolean[], $5::text[], $6::text[], $7::text[], $8::float8[], $9::jsonb[], $10::float8[], $11::float8[])
        u(agent_id, tenant, site, logged_in, state, reason, call_id, since, queue_ids, queues_as_of, as_of)
      on conflict (tenant, agent_id) do update set logged_in = excluded.logged_in, state = excluded.state, reason = excluded.reason,
        call_id = excluded.call_id, since = excluded.since, queue_ids = excluded.queue_ids, queues_as_of = excluded.queues_as_of, as_of = excluded.as_of`,
    [column('agent_id'), column('tenant'), column('site'), column('logged_in'), column('state'), column('reason'), column('call_id'),
      column('since'), written.map((r) => JSON.stringify(r.queue_ids)), column('queues_as_of'), column('as_of')]);
  }
  if (closed.length) {
    const column = <K extends keyof Segment>(k: K) => closed.map((s) => s[k]);
    await client.query(`insert into "${segments}" (event_id, tenant, agent_id, state, reason, started_at, ended_at)
      select u.event_id, u.tenant, u.agent_id, u.state, u.reason, ${ts('started_at')}, ${ts('ended_at')}
      from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::float8[], $7::float8[])
        u(event_id, tenant, agent_id, state, reason, started_at, ended_at)
      on conflict do nothing`,
    [column('event_id'), column('tenant'), column('agent_id'), column('state'), column('reason'), column('started_at'), column('ended_at')]);
  }
}
