import { asArray, Decider, fold } from '@switchboard/decider';
import type { Pool } from 'pg';
import { inTransaction } from './transaction';
import { OutboxMessage, PostgresEventStore, StreamVersionConflict } from './event-store';

export interface HandleOptions<E> {
  /** Translates the new stream events into integration messages (written to the outbox in the same transaction). */
  toOutbox?: (events: readonly E[], firstVersion: number) => OutboxMessage[];
  metadata?: Record<string, unknown>;
  /** How often to re-read and re-decide after a concurrent writer changed the stream. */
  retries?: number;
}

/**
 * Read the stream, fold it, decide, append with the read version as the expected one, all or nothing.
 * Stream events are stored as `{ type, data: event }`; the decider never sees storage details.
 */
export async function handleCommand<C, E extends { type: string }, S>(pool: Pool, store: PostgresEventStore, streamId: string,
  decider: Decider<C, E, S>, command: C, options: HandleOptions<E> = {}): Promise<{ newEvents: readonly E[]; state: S; version: number }> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await inTransaction(pool, async (client) => {
        const { events, version } = await store.readStream(streamId, client);
        const state = fold(decider, events.map((e) => e.data as E));
        const newEvents = asArray(decider.decide(command, state));
        await store.appendWithin(client, streamId, newEvents.map((e) => ({ type: e.type, data: e, metadata: options.metadata })), {
          expectedVersion: version,
          outbox: options.toOutbox?.(newEvents, version + 1),
        });
        return { newEvents, state: newEvents.reduce(decider.evolve, state), version: version + newEvents.length };
      });
    } catch (e) {
      if (!(e instanceof StreamVersionConflict) || attempt >= (options.retries ?? 2)) throw e;
    }
  }
}
