import type { Pool, PoolClient } from 'pg';
import { asArray, fold, type Decider } from '@switchboard/decider';
import { handleCommand, type PostgresEventStore } from '@switchboard/eventsourcing';
import type { LiveRouter } from '../../matching/application/live-router';
import type { RoutingPolicy } from '../../matching/domain/routing-policy';
import { agentSkillProfileDecider, routingProfile, type AgentSkillProfileCommand } from '../domain/agent-skill-profile.decider';
import {
  teamLeaderShareDecider, teamLeaderShareStream, teamLeaderTeamShareDecider, teamLeaderTeamShareStream, type TeamLeaderShareState, type TeamLeaderTeamShareState,
} from '../domain/team-leader-share.decider';
import type { AgentSkillProfile } from '../domain/agent-skill-profile.events';
import { routingPolicyDecider } from '../domain/routing-policy.decider';
import { groupMergeDecider, type GroupMergeCommand } from '../domain/group-merge.decider';
import { queueDecider, skillDecider, type QueueDefinition, type SkillDefinition } from '../domain/catalog.decider';

export const profileStream = (agentId: string) => `agent-skill-profile-${agentId}`;
export const policyStream = (queueId: string) => `routing-policy-${queueId}`;
export const mergeStream = (groupId: string) => `group-merge-${groupId}`;

/**
 * Configuration commands: each is decided on its aggregate's stream (audited: who, when, why) and the result is
 * fed to the live router at once, so a revoked skill stops routing before the call returns.
 */
export class RoutingConfiguration {
  constructor(private readonly pool: Pool, private readonly store: PostgresEventStore, private readonly router: LiveRouter) {}

  private now = () => this.router.clock();
  private iso = () => new Date(this.now()).toISOString();

  async defineQueue(queue: QueueDefinition, by: string): Promise<{ queue: QueueDefinition; version: number }> {
    const { state } = await handleCommand(this.pool, this.store, `queue-${queue.queueId}`, queueDecider, { type: 'DefineQueue', data: { queue, by, at: this.iso() } });
    return { queue, version: state.status === 'defined' ? state.version : 0 };
  }

  async defineSkill(skill: SkillDefinition, by: string): Promise<SkillDefinition> {
    await handleCommand(this.pool, this.store, `skill-${skill.skillId}`, skillDecider, { type: 'DefineSkill', data: { skill, by, at: this.iso() } });
    return skill;
  }

  async setRoutingPolicy(policy: Omit<RoutingPolicy, 'version'>, setBy: string): Promise<RoutingPolicy> {
    const { state } = await handleCommand(this.pool, this.store, policyStream(policy.queueId), routingPolicyDecider,
      { type: 'SetRoutingPolicy', data: { policy, setBy, at: this.iso() } });
    if (state.status !== 'set') throw new Error('policy not set');
    await this.router.apply({ type: 'PolicySet', policy: state.policy, at: this.now() });
    return state.policy;
  }

  /** RT-06, director only (the decider checks `roles`): fed to the live router before the call returns. */
  async setTeamLeaderHandlingRatio(ratio: number, reason: string, setBy: string, roles: readonly string[]): Promise<TeamLeaderShareState> {
    const { state, newEvents } = await handleCommand(this.pool, this.store, teamLeaderShareStream, teamLeaderShareDecider,
      { type: 'SetTeamLeaderHandlingRatio', data: { ratio, reason, setBy, setByRoles: roles, at: this.iso() } });
    if (newEvents.length > 0) await this.router.apply({ type: 'TeamLeaderShareSet', ratio: state.ratio, at: this.now() });
    return state;
  }

  /**
   * RT-06 per team, director only (the decider checks `roles`): a team's own ratio, or null to return the team to the
   * centre-wide ratio; fed to the live router before the call returns.
   */
  async setTeamLeaderTeamRatio(teamId: string, ratio: number | null, reason: string, setBy: string, roles: readonly string[]): Promise<TeamLeaderTeamShareState> {
    const { state, newEvents } = await handleCommand(this.pool, this.store, teamLeaderTeamShareStream(teamId), teamLeaderTeamShareDecider,
      { type: 'SetTeamLeaderTeamRatio', data: { teamId, ratio, reason, setBy, setByRoles: roles, at: this.iso() } });
    if (newEvents.length > 0) await this.router.apply({ type: 'TeamLeaderTeamShareSet', teamId, ratio: state.ratio, at: this.now() });
    return state;
  }

  /** `command` builds the profile command with this service's clock. */
  async changeProfile(agentId: string, command: (at: string) => AgentSkillProfileCommand): Promise<AgentSkillProfile> {
    const { state, newEvents } = await handleCommand(this.pool, this.store, profileStream(agentId), agentSkillProfileDecider, command(this.iso()));
    if (newEvents.length > 0) await this.pushProfile(agentId, state);
    return state;
  }

  /** The same inside a consumer's transaction (offset and events commit together). */
  async changeProfileWithin(client: PoolClient, agentId: string, command: AgentSkillProfileCommand): Promise<void> {
    const state = await decideWithin(client, this.store, profileStream(agentId), agentSkillProfileDecider, command);
    if (state !== undefined) await this.pushProfile(agentId, state, client);
  }

  async changeMerge(command: (at: string) => GroupMergeCommand): Promise<void> {
    const c = command(this.iso());
    const { newEvents } = await handleCommand(this.pool, this.store, mergeStream(c.data.groupId), groupMergeDecider, c);
    for (const e of newEvents) {
      await this.router.apply(e.type === 'GroupsMerged'
        ? { type: 'GroupsMerged', groupId: e.data.groupId, queueIds: e.data.queueIds, at: this.now() }
        : { type: 'GroupsSplit', groupId: e.data.groupId, at: this.now() });
    }
  }

  private async pushProfile(agentId: string, state: AgentSkillProfile, client?: PoolClient): Promise<void> {
    const input = { type: 'AgentProfileChanged', agentId, profile: routingProfile(state), at: this.now() } as const;
    await (client === undefined ? this.router.apply(input) : this.router.applyWithin(client, input));
  }
}

/** Decide on a stream inside a transaction the caller owns; returns the new state, or undefined if nothing changed. */
export async function decideWithin<C, E extends { type: string }, S>(client: PoolClient, store: PostgresEventStore, streamId: string,
  decider: Decider<C, E, S>, command: C): Promise<S | undefined> {
  const { events, version } = await store.readStream(streamId, client);
  const state = fold(decider, events.map((e) => e.data as E));
  const newEvents = asArray(decider.decide(command, state));
  if (newEvents.length === 0) return undefined;
  await store.appendWithin(client, streamId, newEvents.map((e) => ({ type: e.type, data: e })), { expectedVersion: version });
  return newEvents.reduce(decider.evolve, state);
}
