import { QUEUE_TABLE_AUTOVACUUM } from '@switchboard/eventsourcing';
import type { Pool } from 'pg';

/** The gateway's own tables, next to the event store's outbox. Clear caller numbers live only here. */
export const GATEWAY_DDL = `
create table if not exists gw_subject_state (
  pbx_link_id text not null, kind text not null, subject text not null, state jsonb not null,
  updated_at timestamptz not null default now(), primary key (pbx_link_id, kind, subject)
);
create table if not exists gw_link_state (
  pbx_link_id text primary key, frame_sequence bigint not null default 0, link_sequence integer not null default 0,
  down_since timestamptz
);
create table if not exists gw_caller_numbers (
  call_id text primary key, caller_number text, caller_hash text not null, recorded_at timestamptz not null default now()
);
create table if not exists gw_caller_lookups (
  id bigserial primary key, principal text not null, roles text[] not null, call_id text not null, reason text not null,
  granted boolean not null, at timestamptz not null default now()
);
create table if not exists gw_call_channels (
  call_id text primary key, channel text not null, joined_at timestamptz not null
);
create table if not exists gw_assignment_executions (
  event_id text primary key, call_id text not null, agent_id text not null, pbx_link_id text not null, queue_id text not null,
  wait_seconds double precision not null, status text not null check (status in ('executing', 'executed', 'failed')), reason text,
  action text, queued_at timestamptz, received_at timestamptz not null default now(), finished_at timestamptz
);
create index if not exists gw_assignment_executions_call on gw_assignment_executions (call_id);
create table if not exists gw_link_lease (
  pbx_link_id text primary key, epoch bigint not null, holder text not null, acquired_at timestamptz not null default now()
);
`;

/**
 * The gateway's outbox rows hold packs of raw frames (ADR 0012) of up to 64 KiB: stored out of line without
 * compression: Postgres would otherwise pglz-compress each on insert and decompress it on the relay's read (as much
 * CPU as the rows the packs save; ADR 0012). A setting for rows written from now on; idempotent.
 */
const OUTBOX_STORAGE = 'alter table if exists es_outbox alter column value set storage external';

/** The gateway's tables rewritten with every batch (ADR 0021): vacuumed as queue tables. */
export const GATEWAY_QUEUE_TABLES: readonly string[] = ['gw_subject_state', 'gw_link_state', 'gw_call_channels'];

export async function migrateGateway(pool: Pool): Promise<void> {
  await pool.query(GATEWAY_DDL);
  await pool.query(OUTBOX_STORAGE);
  for (const table of GATEWAY_QUEUE_TABLES) await pool.query(`alter table ${table} set (${QUEUE_TABLE_AUTOVACUUM})`);
}
