import type { Pool, PoolClient } from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { ConflictError } from '@switchboard/domain-errors';
import { injectTraceHeaders } from '@switchboard/service-kit';
import { inTransaction } from './transaction';

export interface NewEvent {
  type: string;
  data: unknown;
  metadata?: Record<string, unknown>;
  /** Defaults to a fresh UUIDv7. Supplying one makes a retried append idempotent per event. */
  eventId?: string;
}

export interface RecordedEvent {
  streamId: string;
  streamVersion: number;
  globalPosition: bigint;
  eventId: string;
  type: string;
  data: unknown;
  metadata: Record<string, unknown>;
  recordedAt: Date;
}

/** An integration message to publish through the outbox, written in the same transaction as the events. */
export interface OutboxMessage {
  topic: string;
  key: string;
  value: Buffer | string;
  headers?: Record<string, string>;
}

/** `no_stream`: the stream must not exist; a number: its current version must equal it; `any`: no check. */
export type ExpectedVersion = number | 'no_stream' | 'any';

/** A concurrent writer changed the stream: a `ConflictError` (gRPC ABORTED), so clients re-read and retry. */
export class StreamVersionConflict extends ConflictError {
  constructor(readonly streamId: string, readonly expected: ExpectedVersion, readonly actual: number) {
    super('EVENT_STORE.VERSION_CONFLICT', `stream ${streamId}: expected version ${expected}, but it is at ${actual}`);
  }
}

export interface AppendResult {
  nextExpectedVersion: number;
  lastGlobalPosition: bigint;
}

const UNIQUE_VIOLATION = '23505';

/** Advisory lock (per database) that outbox writers share and the relay takes exclusively; see outbox-relay.ts. */
export const OUTBOX_WRITE_LOCK = 7_426_532;

export class PostgresEventStore {
  constructor(private readonly pool: Pool) {}

  /** Appends events (and outbox messages) atomically; stream version 0 means "no events". */
  async appendToStream(streamId: string, events: readonly NewEvent[], options: { expectedVersion: ExpectedVersion; outbox?: readonly OutboxMessage[] }): Promise<AppendResult> {
    return inTransaction(this.pool, (client) => this.appendWithin(client, streamId, events, options));
  }

  /** The same, inside a transaction the caller owns (for handlers that also update read models). */
  async appendWithin(client: PoolClient, streamId: string, events: readonly NewEvent[], options: { expectedVersion: ExpectedVersion; outbox?: readonly OutboxMessage[] }): Promise<AppendResult> {
    const current = await this.currentVersion(client, streamId);
    const { expectedVersion } = options;
    if ((expectedVersion === 'no_stream' && current !== 0) || (typeof expectedVersion === 'number' && current !== expectedVersion)) {
      throw new StreamVersionConflict(streamId, expectedVersion, current);
    }
    let lastGlobalPosition = 0n;
    if (events.length > 0) {
      try {
        const { rows } = await client.query<{ global_position: string }>(
          `insert into es_events (stream_id, stream_version, event_id, event_type, data, metadata)
           select $1, $2 + ord, id, t, d, m
             from unnest($3::uuid[], $4::text[], $5::jsonb[], $6::jsonb[]) with ordinality as e(id, t, d, m, ord)
           returning global_position`,
          [streamId, current, events.map((e) => e.eventId ?? uuidv7()), events.map((e) => e.type),
            events.map((e) => JSON.stringify(e.data)), events.map((e) => JSON.stringify(e.metadata ?? {}))]);
        lastGlobalPosition = BigInt(rows[rows.length - 1].global_position);
      } catch (e) {
        // A concurrent writer won the race between our version check and insert. Our transaction is aborted now,
        // so the winner's (committed) version is read on another connection.
        if ((e as { code?: string; constraint?: string }).code === UNIQUE_VIOLATION && (e as { constraint?: string }).constraint?.includes('stream_id')) {
          throw new StreamVersionConflict(streamId, expectedVersion, await this.currentVersion(this.pool, streamId));
        }
        throw e;
      }
    }
    if (options.outbox?.length) await writeOutbox(client, options.outbox);
    return { nextExpectedVersion: current + events.length, lastGlobalPosition };
  }

  async readStream(streamId: string, db: Pool | PoolClient = this.pool): Promise<{ events: RecordedEvent[]; version: number }> {
    const { rows } = await db.query(`select * from es_events where stream_id = $1 order by stream_version`, [streamId]);
    const events = rows.map(toRecorded);
    return { events, version: events.length ? events[events.length - 1].streamVersion : 0 };
  }

  /** All events after a global position, in position order (for in-service projections and replays). */
  async readAll(afterPosition: bigint, limit = 1000): Promise<RecordedEvent[]> {
    const { rows } = await this.pool.query(`select * from es_events where global_position > $1 order by global_position limit $2`, [afterPosition.toString(), limit]);
    return rows.map(toRecorded);
  }

  private async currentVersion(db: Pool | PoolClient, streamId: string): Promise<number> {
    const { rows } = await db.query<{ v: number | null }>('select max(stream_version) as v from es_events where stream_id = $1', [streamId]);
    return rows[0].v ?? 0;
  }
}

/**
 * Inserts outbox rows. The active trace context goes into each row's headers (explicit headers win), so the
 * consumer's span continues the trace of the command that produced the message.
 */
export async function writeOutbox(client: PoolClient, messages: readonly OutboxMessage[]): Promise<void> {
  const trace = injectTraceHeaders({});
  // Held until commit: the relay takes this lock exclusively before reading, so it never reads past a writer in flight.
  await client.query('select pg_advisory_xact_lock_shared($1)', [OUTBOX_WRITE_LOCK]);
  await client.query(
    `insert into es_outbox (topic, message_key, value, headers)
     select * from unnest($1::text[], $2::text[], $3::bytea[], $4::jsonb[])`,
    [messages.map((m) => m.topic), messages.map((m) => m.key), messages.map((m) => (Buffer.isBuffer(m.value) ? m.value : Buffer.from(m.value))),
      messages.map((m) => JSON.stringify({ ...trace, ...m.headers }))]);
  await client.query(`select pg_notify('es_outbox', '')`);
}

function toRecorded(r: Record<string, unknown>): RecordedEvent {
  return {
    streamId: r.stream_id as string, streamVersion: r.stream_version as number, globalPosition: BigInt(r.global_position as string),
    eventId: r.event_id as string, type: r.event_type as string, data: r.data, metadata: r.metadata as Record<string, unknown>,
    recordedAt: r.recorded_at as Date,
  };
}
