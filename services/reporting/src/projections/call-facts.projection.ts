import {
  CallAbandoned, CallAnswered, CallOffered, CallQueued, CallQueueTimedOut, CallReleased, CallResumed, CallTransferred,
  CallWrapUpCompleted, type AnyEvent,
} from '@switchboard/contracts';
import { defineProjection } from '@switchboard/eventsourcing';
import type { PoolClient } from 'pg';
import { callFactColumns } from './call-fact.columns';
import { applyCallFactsBatch, keyColumns, knownVisit } from './call-facts.batch';
import { markRepeats } from './call-facts.repeats';
import { initRollup, markDirtyCalls } from './call-facts.rollup';
import { resolveVisit, visitRef } from './call-visit';
import { upsert } from './upsert';

export const CALL_FACT_EVENTS = [CallOffered, CallQueued, CallAnswered, CallAbandoned, CallQueueTimedOut, CallResumed, CallTransferred,
  CallReleased, CallWrapUpCompleted].map((d) => d.type);

async function init(client: PoolClient, t: string): Promise<void> {
  await client.query(`create table if not exists "${t}" (
    call_id text not null, queue_visit int not null, tenant text not null, site text not null,
    queue_id text, queued_at timestamptz, queued_exact boolean not null default false,
    offered_at timestamptz, caller_hash text,
    answered_at timestamptz, agent_id text, abandoned_at timestamptz, timed_out_at timestamptz,
    wait_s double precision, ring_count int not null default 0,
    talk_s double precision not null default 0, hold_s double precision not null default 0, hold_count int not null default 0,
    longest_hold_s double precision not null default 0, acw_s double precision not null default 0,
    transfer_first int, transfer_last int, released_by text, released_at timestamptz,
    repeat_24h boolean not null default false, followed_up_72h boolean not null default false,
    acw_events jsonb not null default '{}', primary key (call_id, queue_visit))`);
  await client.query(`create index if not exists "${t}_queued" on "${t}" (queued_at, queue_id)`);
  await client.query(`create index if not exists "${t}_agent" on "${t}" (agent_id, queued_at)`);
  await client.query(`create index if not exists "${t}_caller" on "${t}" (caller_hash, offered_at)`);
  await client.query(`create index if not exists "${t}_waiting" on "${t}" (queue_id, queued_at) where answered_at is null and abandoned_at is null and timed_out_at is null`);
  await initRollup(client, t);
}

async function apply(client: PoolClient, e: AnyEvent, t: string): Promise<void> {
  const columns = callFactColumns(e);
  const ref = visitRef(e);
  if (columns === undefined || ref === undefined) return;
  const known = 'visit' in ref ? [] : (await client.query(`select queue_visit, agent_id, queued_at from "${t}" where call_id = $1`, [e.subject])).rows;
  const visit = resolveVisit(known.map(knownVisit), ref);
  const { text, values } = upsert(t, ['call_id', 'queue_visit'], [...keyColumns(e, visit), ...columns]);
  await markDirtyCalls(client, t, [e.subject]);
  await client.query(text, values);
  await markDirtyCalls(client, t, [e.subject]);
  if (e.type === CallOffered.type) await markRepeats(client, t, [{ callId: e.data.callId, callerHash: e.data.callerHash, at: e.time }]);
}

export const callFactsProjection = (topics?: readonly string[]) => defineProjection({
  name: 'call_facts', version: 3, eventTypes: CALL_FACT_EVENTS, init, apply, applyBatch: applyCallFactsBatch, ...(topics ? { topics } : {}),
});
