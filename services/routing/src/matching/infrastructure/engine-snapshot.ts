import type { Pool, PoolClient } from 'pg';
import { RoutingEngine } from '../domain/routing-engine';
import type { Expiry } from '../domain/expiry-schedule';
import type { RoutingPolicy } from '../domain/routing-policy';
import type { LiveAgent, WaitingCall } from '../domain/live-state';
import type { AgentProfile } from '../domain/routing-inputs';
import {
  agentToState, callToState, ENGINE_SNAPSHOT_VERSION, profileToState, requireSnapshotV1, type EngineSnapshotV1,
} from '../domain/engine-state';
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

/** The snapshot format of earlier releases: the book's maps with Maps and Sets tagged (`{ $map }`, `{ $set }`), no version. */
interface LegacyState {
  readonly offerSeq: number;
  readonly teamLeaderRatio: number;
  readonly policies: RoutingPolicy[];
  readonly merges: [string, readonly string[]][];
  readonly profiles: Map<string, AgentProfile>;
  readonly agents: Map<string, LiveAgent>;
  readonly leaders: string[];
  readonly calls: Map<string, WaitingCall>;
  readonly offers: Map<string, { call: WaitingCall; agentId: string; offerSeq: number }>;
  readonly holds: Map<string, { since: number; until: number }>;
  readonly retries: Map<string, { call: WaitingCall; until: number }>;
  readonly teamOffers: Map<string, string[]>;
  readonly expiries: Expiry[];
}

function fromLegacy(s: LegacyState): EngineSnapshotV1 {
  return {
    version: ENGINE_SNAPSHOT_VERSION, offerSeq: s.offerSeq, teamLeaderRatio: s.teamLeaderRatio, teamLeaderRatios: [], policies: s.policies,
    merges: s.merges.map(([groupId, queueIds]) => ({ groupId, queueIds })),
    profiles: [...s.profiles].map(([agentId, p]) => profileToState(agentId, p)),
    agents: [...s.agents.values()].map(agentToState), leaders: s.leaders, calls: [...s.calls.values()].map(callToState),
    offers: [...s.offers.values()].map((o) => ({ ...o, call: callToState(o.call) })),
    holds: [...s.holds].map(([agentId, h]) => ({ agentId, since: h.since, until: h.until })),
    retries: [...s.retries.values()].map((r) => ({ call: callToState(r.call), until: r.until })),
    teamOffers: [...s.teamOffers].map(([teamId, agentIds]) => ({ teamId, agentIds })), expiries: s.expiries,
  };
}

/** The engine as JSON text: its versioned snapshot (`RoutingEngine.snapshot`), plain JSON with no tagged types. */
export function encodeEngine(engine: RoutingEngine): string {
  return JSON.stringify(engine.snapshot());
}

/** Reads a versioned snapshot, or one an earlier release wrote (unversioned, tagged Maps and Sets). */
export function decodeEngine(json: string): RoutingEngine {
  const parsed = JSON.parse(json) as { version?: unknown };
  if (parsed !== null && typeof parsed === 'object' && !('version' in parsed) && 'offerSeq' in parsed) return RoutingEngine.restore(fromLegacy(reviveLegacy(json)));
  return RoutingEngine.restore(requireSnapshotV1(parsed));
}

function reviveLegacy(json: string): LegacyState {
  return JSON.parse(json, (_key, value: unknown) => {
    if (value === null || typeof value !== 'object') return value;
    if ('$map' in value) return new Map(value.$map as [unknown, unknown][]);
    if ('$set' in value) return new Set(value.$set as unknown[]);
    return value;
  }) as LegacyState;
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
