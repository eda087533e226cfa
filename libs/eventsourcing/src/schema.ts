import type { Pool, PoolClient } from 'pg';
import { QUEUE_TABLE_AUTOVACUUM } from './queue-table-vacuum';

/**
 * The event store, outbox and consumer checkpoints of one service database. Idempotent: safe on every start.
 * `transaction_id` (xid8) lets the outbox relay read rows in commit-safe order (see outbox-relay.ts).
 */
export const EVENT_STORE_DDL = `
create table if not exists es_events (
  global_position bigserial primary key,
  stream_id text not null,
  stream_version integer not null,
  event_id uuid not null unique,
  event_type text not null,
  data jsonb not null,
  metadata jsonb not null default '{}'::jsonb,
  recorded_at timestamptz not null default now(),
  unique (stream_id, stream_version)
);
create table if not exists es_outbox (
  position bigserial primary key,
  transaction_id xid8 not null default pg_current_xact_id(),
  topic text not null,
  message_key text not null,
  value bytea not null,
  headers jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now()
);
create index if not exists es_outbox_tx_pos on es_outbox (transaction_id, position);
-- Queue tables: vacuumed after a fixed number of dead rows (queue-table-vacuum.ts, ADR 0021).
alter table es_outbox set (${QUEUE_TABLE_AUTOVACUUM});
create table if not exists es_outbox_rejected (
  position bigint primary key,
  topic text not null,
  message_key text not null,
  value bytea not null,
  headers jsonb not null,
  reason text not null,
  rejected_at timestamptz not null default now()
);
create table if not exists es_outbox_checkpoints (
  relay text primary key,
  transaction_id xid8 not null,
  position bigint not null,
  updated_at timestamptz not null default now()
);
create table if not exists es_consumer_offsets (
  consumer_group text not null,
  topic text not null,
  partition integer not null,
  next_offset bigint not null,
  updated_at timestamptz not null default now(),
  primary key (consumer_group, topic, partition)
);
alter table es_outbox_checkpoints set (${QUEUE_TABLE_AUTOVACUUM});
alter table es_consumer_offsets set (${QUEUE_TABLE_AUTOVACUUM});
create table if not exists es_consumer_processed (
  consumer_group text not null,
  event_id text not null,
  processed_at timestamptz not null default now(),
  primary key (consumer_group, event_id)
);
create table if not exists es_projections (
  name text primary key,
  active_version integer not null,
  swapped_at timestamptz not null default now()
);
`;

// Serialises concurrent migrations of the same database (several replicas starting at once).
const MIGRATION_LOCK = 7_426_531;

export async function migrateEventStore(db: Pool | PoolClient): Promise<void> {
  const client = 'release' in db ? db : await db.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await client.query(EVENT_STORE_DDL);
  } finally {
    await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    if (client !== db) client.release();
  }
}
