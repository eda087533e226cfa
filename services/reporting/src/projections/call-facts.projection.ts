import {
  CallAbandoned, CallAnswered, CallOffered, CallQueued, CallReleased, CallResumed, CallTransferred, CallWrapUpCompleted,
  type AnyEvent,
} from '@switchboard/contracts';
import { defineProjection } from '@switchboard/eventsourcing';
import type { PoolClient } from 'pg';
import { callFactColumns } from './call-fact.columns';
import { upsert } from './upsert';

export const CALL_FACT_EVENTS = [CallOffered, CallQueued, CallAnswered, CallAbandoned, CallResumed, CallTransferred, CallReleased, CallWrapUpCompleted]
  .map((d) => d.type);

async function init(client: PoolClient, t: string): Promise<void> {
  await client.query(`create table if not exists "${t}" (
    call_id text primary key, tenant text not null, site text not null,
    queue_id text, queued_at timestamptz, queued_exact boolean not null default false,
    offered_at timestamptz, caller_hash text,
    answered_at timestamptz, agent_id text, abandoned_at timestamptz,
    wait_s double precision, ring_count int not null default 0,
    talk_s double precision not null default 0, hold_s double precision not null default 0, hold_count int not null default 0,
    longest_hold_s double precision not null default 0, acw_s double precision not null default 0,
    transfer_count int not null default 0, released_by text, released_at timestamptz,
    repeat_24h boolean not null default false, followed_up_72h boolean not null default false)`);
  await client.query(`create index if not exists "${t}_queued" on "${t}" (queued_at, queue_id)`);
  await client.query(`create index if not exists "${t}_agent" on "${t}" (agent_id, queued_at)`);
  await client.query(`create index if not exists "${t}_caller" on "${t}" (caller_hash, offered_at)`);
  await client.query(`create index if not exists "${t}_waiting" on "${t}" (queue_id, queued_at) where answered_at is null and abandoned_at is null`);
}

/**
 * Repeat-caller flags only ever turn true, so marking both directions when a call's offer arrives gives the same
 * result in any delivery order: this call is a repeat if the caller called in the 24 h before; earlier calls of
 * the caller in the 72 h before were not resolved first time.
 */
async function markRepeats(client: PoolClient, t: string, e: Extract<AnyEvent, { type: typeof CallOffered.type }>): Promise<void> {
  const args = [e.data.callId, e.data.callerHash, e.time];
  await client.query(`update "${t}" c set repeat_24h = true where c.call_id = $1 and exists (select 1 from "${t}" o
    where o.caller_hash = $2 and o.call_id <> $1 and o.offered_at < $3::timestamptz and o.offered_at >= $3::timestamptz - interval '24 hours')`, args);
  await client.query(`update "${t}" o set repeat_24h = true where o.caller_hash = $2 and o.call_id <> $1
    and o.offered_at > $3::timestamptz and o.offered_at <= $3::timestamptz + interval '24 hours' and not o.repeat_24h`, args);
  await client.query(`update "${t}" o set followed_up_72h = true where o.caller_hash = $2 and o.call_id <> $1
    and o.offered_at < $3::timestamptz and o.offered_at >= $3::timestamptz - interval '72 hours' and not o.followed_up_72h`, args);
  await client.query(`update "${t}" c set followed_up_72h = true where c.call_id = $1 and exists (select 1 from "${t}" o
    where o.caller_hash = $2 and o.call_id <> $1 and o.offered_at > $3::timestamptz and o.offered_at <= $3::timestamptz + interval '72 hours')`, args);
}

async function apply(client: PoolClient, e: AnyEvent, t: string): Promise<void> {
  const columns = callFactColumns(e);
  if (columns === undefined) return;
  const key = [{ name: 'call_id', value: e.subject, merge: 'fill' as const }, { name: 'tenant', value: e.tenant, merge: 'fill' as const },
    { name: 'site', value: e.site, merge: 'fill' as const }];
  const { text, values } = upsert(t, 'call_id', [...key, ...columns]);
  await client.query(text, values);
  if (e.type === CallOffered.type) await markRepeats(client, t, e);
}

export const callFactsProjection = (topics?: readonly string[]) => defineProjection({
  name: 'call_facts', version: 1, eventTypes: CALL_FACT_EVENTS, init, apply, ...(topics ? { topics } : {}),
});
