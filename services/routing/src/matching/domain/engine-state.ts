import type { LiveAgent, WaitingCall } from './live-state';
import type { AgentProfile } from './routing-inputs';
import type { RoutingPolicy } from './routing-policy';
import type { Expiry } from './expiry-schedule';

export const ENGINE_SNAPSHOT_VERSION = 1;

/** Skill id -> proficiency as pairs, in the agent's order (an object would reorder integer-like ids, and jsonb any key). */
export type SkillPairs = [string, number][];

export type AgentState = Omit<LiveAgent, 'queueIds' | 'skills'> & { readonly queueIds: string[]; readonly skills: SkillPairs };
export type CallState = Omit<WaitingCall, 'excludedAgentIds'> & { readonly excludedAgentIds: string[] };
export interface ProfileState { readonly agentId: string; readonly teamId: string; readonly skills: SkillPairs; readonly teamLeader?: boolean }

/**
 * Everything the engine's decisions depend on, as plain JSON (no Maps or Sets), each collection in the engine's
 * iteration order (team leaders in the order they became leaders). Derived state (matcher indexes, merged pools,
 * step cache, ready-leader count) is not in it: restoring feeds this back through the book, which reports every
 * change to the matcher as live inputs do. The step-expiry heap is kept exactly as it is (stale entries included), so
 * `nextExpiryAt` and the order expiries pop in are the same as in the engine that was saved.
 */
export interface EngineSnapshotV1 {
  readonly version: typeof ENGINE_SNAPSHOT_VERSION;
  /** Ordinal of the last offer the engine made. */
  readonly offerSeq: number;
  /** RT-06: the director's centre-wide team-leader ratio, and the teams with a ratio of their own. */
  readonly teamLeaderRatio: number;
  readonly teamLeaderRatios: { readonly teamId: string; readonly ratio: number }[];
  readonly policies: RoutingPolicy[];
  readonly merges: { readonly groupId: string; readonly queueIds: readonly string[] }[];
  readonly profiles: ProfileState[];
  readonly agents: AgentState[];
  readonly leaders: string[];
  readonly calls: CallState[];
  readonly offers: { readonly call: CallState; readonly agentId: string; readonly offerSeq: number }[];
  readonly holds: { readonly agentId: string; readonly since: number; readonly until: number }[];
  readonly retries: { readonly call: CallState; readonly until: number }[];
  /** Each team's last offers (agent ids, oldest first). */
  readonly teamOffers: { readonly teamId: string; readonly agentIds: string[] }[];
  readonly expiries: Expiry[];
}

export const agentToState = (a: LiveAgent): AgentState => ({ ...a, queueIds: [...a.queueIds], skills: [...a.skills] });
export const agentFromState = (a: AgentState): LiveAgent => ({ ...a, queueIds: new Set(a.queueIds), skills: new Map(a.skills) });
export const callToState = (c: WaitingCall): CallState => ({ ...c, excludedAgentIds: [...c.excludedAgentIds] });
export const callFromState = (c: CallState): WaitingCall => ({ ...c, excludedAgentIds: new Set(c.excludedAgentIds) });

export const profileToState = (agentId: string, p: AgentProfile): ProfileState =>
  ({ agentId, teamId: p.teamId, skills: [...p.skills], ...(p.teamLeader === true ? { teamLeader: true } : {}) });
export const profileFromState = (p: ProfileState): AgentProfile =>
  ({ teamId: p.teamId, skills: new Map(p.skills), ...(p.teamLeader === true ? { teamLeader: true } : {}) });

/** A clear error for a snapshot this version cannot read (written by a newer release, or not a snapshot at all). */
export function requireSnapshotV1(s: unknown): EngineSnapshotV1 {
  const version = (s as { version?: unknown } | null)?.version;
  if (version !== ENGINE_SNAPSHOT_VERSION) throw new Error(`unsupported routing engine snapshot version ${String(version)} (this release reads ${ENGINE_SNAPSHOT_VERSION})`);
  return s as EngineSnapshotV1;
}
