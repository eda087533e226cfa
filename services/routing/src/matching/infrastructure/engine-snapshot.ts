import type { Pool, PoolClient } from 'pg';
import { RoutingEngine } from '../domain/routing-engine';
import type { LiveBook } from '../domain/live-book';
import type { Expiry } from '../domain/expiry-schedule';
import type { RoutingPolicy } from '../domain/routing-policy';
import type { EngineSnapshot, SnapshotStore } from '../application/live-router';

const SNAPSHOT_DDL = `
create table if not exists routing_engine_snapshots (
  seq bigint primary key,
  at float8 not null,
  wall_ms float8 not null,
  engine jsonb not null,
  taken_at timestamptz not null default now()
);`;

/** When the router writes a snapshot, and how long journal rows below one are kept. */
export interface SnapshotPolicy {
  /** After this many inputs since the last snapshot. */
  everyInputs: number;
  /** Or after this much wall time, if any input came since the last snapshot. */
  everyMs: number;
  /** Journal rows and snapshots below the newest snapshot at least this old are deleted (when a snapshot is written). */
  journalRetentionMs: number;
}

export const DEFAULT_SNAPSHOT_POLICY: SnapshotPolicy = { everyInputs: 10_000, everyMs: 5 * 60_000, journalRetentionMs: 7 * 24 * 3_600_000 };

/**
 * The engine's private parts a snapshot must hold besides the book's public maps: the offer counter, the
 * policies, and the expiry heap exactly as it is (stale entries included, so `nextExpiryAt` and the order expiries
 * pop in are the same as in the engine that was saved).
 */
interface EngineInternals { readonly flow: { offerSeq: number } }
interface BookInternals { readonly policies: Map<string, RoutingPolicy>; readonly expiries: { readonly heap: Expiry[] } }
const internalsOf = (engine: RoutingEngine) => engine as unknown as EngineInternals;
const bookInternalsOf = (book: LiveBook) => book as unknown as BookInternals;

/**
 * Everything the engine's decisions depend on, in iteration order (team leaders are refreshed in the order they
 * became leaders). Derived state (matcher indexes, merged pools, step cache, leaders' ready count) is rebuilt by
 * feeding this back through the book, which reports every change to the matcher as live inputs do.
 */
interface EngineState {
  readonly offerSeq: number;
  readonly teamLeaderRatio: number;
  readonly policies: RoutingPolicy[];
  readonly merges: [string, readonly string[]][];
  readonly profiles: LiveBook['profiles'];
  readonly agents: LiveBook['agents'];
  readonly leaders: string[];
  readonly calls: LiveBook['calls'];
  readonly offers: LiveBook['offers'];
  readonly holds: LiveBook['holds'];
  readonly retries: LiveBook['retries'];
  readonly teamOffers: LiveBook['teamOffers'];
  readonly expiries: Expiry[];
}

/** The engine as JSON text. Maps and Sets (skills, queue ids, exclusions) are tagged, as the input codec keeps skill maps. */
export function encodeEngine(engine: RoutingEngine): string {
  const { book } = engine;
  const state: EngineState = {
    offerSeq: internalsOf(engine).flow.offerSeq,
    teamLeaderRatio: book.teamLeaderRatio,
    policies: [...bookInternalsOf(book).policies.values()],
    merges: [...book.merges()],
    profiles: book.profiles, agents: book.agents, leaders: [...book.leaders], calls: book.calls, offers: book.offers,
    holds: book.holds, retries: book.retries, teamOffers: book.teamOffers,
    expiries: bookInternalsOf(book).expiries.heap,
  };
  return JSON.stringify(state, (_key, value: unknown) =>
    value instanceof Map ? { $map: [...value] } : value instanceof Set ? { $set: [...value] } : value);
}

export function decodeEngine(json: string): RoutingEngine {
  const state = JSON.parse(json, (_key, value: unknown) => {
    if (value === null || typeof value !== 'object') return value;
    if ('$map' in value) return new Map(value.$map as [unknown, unknown][]);
    if ('$set' in value) return new Set(value.$set as unknown[]);
    return value;
  }) as EngineState;
  const engine = new RoutingEngine();
  const { book } = engine;
  state.policies.forEach((p) => book.setPolicy(p));
  state.merges.forEach(([groupId, queueIds]) => book.setMerge(groupId, queueIds));
  book.teamLeaderRatio = state.teamLeaderRatio;
  state.profiles.forEach((profile, agentId) => book.profiles.set(agentId, profile));
  state.teamOffers.forEach((offers, teamId) => book.teamOffers.set(teamId, offers));
  state.agents.forEach((agent, agentId) => book.setAgent(agentId, agent));
  book.leaders.clear();
  state.leaders.forEach((agentId) => book.leaders.add(agentId));
  // setCall also schedules each call's step expiry; the saved heap replaces those entries below.
  state.calls.forEach((call, callId) => book.setCall(callId, call));
  state.offers.forEach((offer, callId) => book.offers.set(callId, offer));
  state.holds.forEach((hold, agentId) => book.holds.set(agentId, hold));
  state.retries.forEach((retry, callId) => book.retries.set(callId, retry));
  const heap = bookInternalsOf(book).expiries.heap;
  heap.length = 0;
  for (const e of state.expiries) heap.push(e);
  internalsOf(engine).flow.offerSeq = state.offerSeq;
  return engine;
}

/**
 * Engine snapshots in Postgres, written in the transaction of the input they follow (so one exists only if the
 * journal up to its seq committed). Pruning keeps the journal row at a snapshot's seq, so the journal head never
 * falls below the engine a restart resumes.
 */
export class PostgresSnapshotStore implements SnapshotStore {
  static async migrate(pool: Pool): Promise<void> {
    await pool.query(SNAPSHOT_DDL);
  }

  constructor(private readonly journalRetentionMs = DEFAULT_SNAPSHOT_POLICY.journalRetentionMs) {}

  async latest(client: PoolClient): Promise<EngineSnapshot | undefined> {
    const { rows } = await client.query<{ seq: string; at: number; wall_ms: number; engine: string }>(
      'select seq, at, wall_ms, engine::text as engine from routing_engine_snapshots order by seq desc limit 1');
    if (rows.length === 0) return undefined;
    const [r] = rows;
    return { seq: Number(r.seq), at: r.at, wallMs: r.wall_ms, engine: decodeEngine(r.engine) };
  }

  async write(client: PoolClient, snapshot: EngineSnapshot): Promise<void> {
    await client.query(
      'insert into routing_engine_snapshots (seq, at, wall_ms, engine) values ($1, $2, $3, $4) on conflict (seq) do nothing', [snapshot.seq, snapshot.at, snapshot.wallMs, encodeEngine(snapshot.engine)]);
    // Below the newest snapshot at least the retention old (this one, at retention 0), nothing is needed any more; a
    // range delete by seq, so a prune touches only rows not pruned before. Capped at a century: timestamp
    // arithmetic overflows beyond a few millennia.
    const horizon = `(select max(seq) from routing_engine_snapshots where taken_at <= now() - least($1::float8, ${100 * 365 * 86_400_000}) * interval '1 millisecond')`;
    await client.query(`delete from routing_input_journal where seq < ${horizon}`, [this.journalRetentionMs]);
    await client.query(`delete from routing_engine_snapshots where seq < ${horizon}`, [this.journalRetentionMs]);
  }
}
