import { topicOf, type AnyEvent } from '@switchboard/contracts';
import type { PoolClient } from 'pg';

export interface ProjectionDefinition<E = AnyEvent> {
  /** Becomes the readers' view name: lower-case SQL identifier. */
  name: string;
  /** Bump to change the computation: the new version is rebuilt from offset 0 beside the old, then swapped in. */
  version: number;
  eventTypes: readonly string[];
  /** Defaults to the registry topics carrying `eventTypes`; tests and replays may point elsewhere. */
  topics?: readonly string[];
  /** Creates `table` (and its indexes). Runs on every start, so it must be idempotent (`if not exists`). */
  init(client: PoolClient, table: string): Promise<void>;
  /** Applies one event inside the consumer's transaction; the runner guarantees each event id once per version. */
  apply(client: PoolClient, event: E, table: string): Promise<void>;
  /**
   * Optional set-based path: applies a chunk's new events (already deduplicated, in delivery order per partition)
   * inside the same transaction, with the same final effect as `apply` on each in turn. If it throws, the runner
   * re-applies the chunk one event at a time with `apply`, so a bad event is isolated and dead-lettered alone.
   */
  applyBatch?(client: PoolClient, events: readonly E[], table: string): Promise<void>;
}

export interface Projection<E = AnyEvent> extends ProjectionDefinition<E> {
  /** `<name>_v<version>`: where this version's rows live. */
  table: string;
  /** `projection-<name>-v<version>`: a new version consumes from offset 0 under its own group. */
  groupId: string;
  topics: readonly string[];
}

const IDENTIFIER = /^[a-z][a-z0-9_]{0,50}$/;

export function defineProjection<E = AnyEvent>(d: ProjectionDefinition<E>): Projection<E> {
  if (!IDENTIFIER.test(d.name)) throw new Error(`projection name ${d.name}: use a lower-case SQL identifier`);
  if (!Number.isInteger(d.version) || d.version < 1) throw new Error(`projection ${d.name}: version must be a positive integer`);
  const topics = d.topics ?? [...new Set(d.eventTypes.map((t) => topicOf(t).name))];
  return Object.freeze({ ...d, topics, table: `${d.name}_v${d.version}`, groupId: `projection-${d.name}-v${d.version}` });
}

/**
 * Points the readers' view at `projection.table` unless a newer version is already active. One transaction: readers
 * see the old view or the new one, never neither (they wait on the view's lock for the instant of the swap).
 * Returns the version active afterwards.
 */
export async function swapProjectionView(client: PoolClient, p: Projection<unknown>): Promise<number> {
  await client.query('begin');
  try {
    await client.query('select pg_advisory_xact_lock(hashtext($1))', [`projection:${p.name}`]);
    const { rows } = await client.query<{ active_version: number }>('select active_version from es_projections where name = $1', [p.name]);
    const active = rows[0]?.active_version ?? 0;
    if (active < p.version) {
      await client.query(`drop view if exists "${p.name}"`);
      await client.query(`create view "${p.name}" as select * from "${p.table}"`);
      await client.query(
        `insert into es_projections (name, active_version) values ($1, $2)
         on conflict (name) do update set active_version = excluded.active_version, swapped_at = now()`, [p.name, p.version]);
    }
    await client.query('commit');
    return Math.max(active, p.version);
  } catch (e) {
    await client.query('rollback').catch(() => undefined);
    throw e;
  }
}

/** Runs the projection's idempotent `init`, serialised with other replicas starting the same version. */
export async function initProjection(client: PoolClient, p: Projection<unknown>): Promise<void> {
  await client.query('begin');
  try {
    await client.query('select pg_advisory_xact_lock(hashtext($1))', [`projection:${p.name}`]);
    await p.init(client, p.table);
    await client.query('commit');
  } catch (e) {
    await client.query('rollback').catch(() => undefined);
    throw e;
  }
}
