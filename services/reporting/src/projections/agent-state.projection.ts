import { AgentLoggedIn, AgentLoggedOut, AgentQueueMembershipChanged, AgentStateChanged, type AnyEvent } from '@switchboard/contracts';
import { defineProjection } from '@switchboard/eventsourcing';
import type { PoolClient } from 'pg';
import { applyAgentStateBatch } from './agent-state.batch';

export const AGENT_STATE_EVENTS = [AgentLoggedIn, AgentLoggedOut, AgentStateChanged, AgentQueueMembershipChanged].map((d) => d.type);

/** Companion table of one projection version: closed state segments, from which agent time per interval is cut. */
export const segmentsTable = (table: string) => `${table}_segments`;

async function init(client: PoolClient, t: string): Promise<void> {
  await client.query(`create table if not exists "${t}" (
    tenant text not null, agent_id text not null, site text not null, logged_in boolean not null default false,
    state text, reason text, call_id text, since timestamptz, queue_ids text[] not null default '{}', queues_as_of timestamptz,
    as_of timestamptz, primary key (tenant, agent_id))`);
  await client.query(`create table if not exists "${segmentsTable(t)}" (
    event_id text primary key, tenant text not null, agent_id text not null, state text not null, reason text,
    started_at timestamptz not null, ended_at timestamptz not null)`);
  await client.query(`create index if not exists "${t}_seg_time" on "${segmentsTable(t)}" (started_at, ended_at)`);
}

type Ev<T extends string> = Extract<AnyEvent, { type: T }>;
type StateLike = { status: string; reason?: string; callId?: string };

async function stateChanged(client: PoolClient, t: string, e: Ev<typeof AgentStateChanged.type>): Promise<void> {
  const prev = e.data.previous as StateLike;
  const cur = e.data.current as StateLike;
  const startedAt = new Date(Date.parse(e.time) - e.data.previousStateSeconds * 1000).toISOString();
  // Each change carries its own closed segment, so segments are right whatever order they arrive in.
  await client.query(`insert into "${segmentsTable(t)}" (event_id, tenant, agent_id, state, reason, started_at, ended_at)
    values ($1, $2, $3, $4, $5, $6, $7) on conflict do nothing`,
  [e.id, e.tenant, e.data.agentId, prev.status, prev.reason ?? null, startedAt, e.time]);
  await client.query(`insert into "${t}" (agent_id, tenant, site, logged_in, state, reason, call_id, since, as_of)
    values ($1, $2, $3, true, $4, $5, $6, $7, $7)
    on conflict (tenant, agent_id) do update set logged_in = true, state = excluded.state, reason = excluded.reason, call_id = excluded.call_id,
      since = excluded.since, as_of = excluded.as_of where "${t}".as_of is null or "${t}".as_of <= excluded.as_of`,
  [e.data.agentId, e.tenant, e.site, cur.status, cur.reason ?? null, cur.callId ?? null, e.time]);
}

async function loggedIn(client: PoolClient, t: string, e: Ev<typeof AgentLoggedIn.type>): Promise<void> {
  await client.query(`insert into "${t}" (agent_id, tenant, site, logged_in, state, since, queue_ids, queues_as_of, as_of)
    values ($1, $2, $3, true, null, $4, $5, $4, $4)
    on conflict (tenant, agent_id) do update set logged_in = true, state = null, reason = null, call_id = null, since = excluded.since,
      queue_ids = case when "${t}".queues_as_of > excluded.queues_as_of then "${t}".queue_ids else excluded.queue_ids end,
      queues_as_of = greatest("${t}".queues_as_of, excluded.queues_as_of), as_of = excluded.as_of
    where "${t}".as_of is null or "${t}".as_of <= excluded.as_of`,
  [e.data.agentId, e.tenant, e.site, e.time, e.data.queueIds]);
}

/**
 * Queues joined or left after log-in (the gateway reports AMI QueueMemberAdded/Removed this way). Ordered by its own
 * time, apart from state changes, so a late membership event is not lost behind a newer state. A row it creates has no
 * `as_of` yet: the log-in it ran ahead of, though older, still applies.
 */
async function membershipChanged(client: PoolClient, t: string, e: Ev<typeof AgentQueueMembershipChanged.type>): Promise<void> {
  await client.query(`insert into "${t}" (agent_id, tenant, site, queue_ids, queues_as_of) values ($1, $2, $3, $4, $5)
    on conflict (tenant, agent_id) do update set queue_ids = excluded.queue_ids, queues_as_of = excluded.queues_as_of
    where "${t}".queues_as_of is null or "${t}".queues_as_of <= excluded.queues_as_of`,
  [e.data.agentId, e.tenant, e.site, e.data.queueIds, e.time]);
}

/** The state the agent was in when logging out ends at the logout: a segment no state change closes. */
async function loggedOut(client: PoolClient, t: string, e: Ev<typeof AgentLoggedOut.type>): Promise<void> {
  await client.query(`insert into "${segmentsTable(t)}" (event_id, tenant, agent_id, state, reason, started_at, ended_at)
    select $1, tenant, agent_id, state, reason, since, $2 from "${t}"
    where tenant = $4 and agent_id = $3 and logged_in and state is not null and since < $2 and as_of <= $2 on conflict do nothing`,
  [e.id, e.time, e.data.agentId, e.tenant]);
  await client.query(`update "${t}" set logged_in = false, state = null, reason = null, call_id = null, since = $2, as_of = $2
    where tenant = $3 and agent_id = $1 and (as_of is null or as_of <= $2)`, [e.data.agentId, e.time, e.tenant]);
}

async function apply(client: PoolClient, e: AnyEvent, t: string): Promise<void> {
  if (e.type === AgentStateChanged.type) await stateChanged(client, t, e);
  else if (e.type === AgentLoggedIn.type) await loggedIn(client, t, e);
  else if (e.type === AgentLoggedOut.type) await loggedOut(client, t, e);
  else if (e.type === AgentQueueMembershipChanged.type) await membershipChanged(client, t, e);
}

// v2: queue membership changes after log-in (AgentQueueMembershipChanged) update the queues served.
// v3: keyed by (tenant, agent_id), segments carry the tenant; a membership change no longer sets the state's as_of.
export const agentStateProjection = (topics?: readonly string[]) => defineProjection({
  name: 'agent_state', version: 3, eventTypes: AGENT_STATE_EVENTS, init, apply,
  applyBatch: (client, events, t) => applyAgentStateBatch(client, events, t, segmentsTable(t)), ...(topics ? { topics } : {}),
});
