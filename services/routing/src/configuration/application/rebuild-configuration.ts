import { fold } from '@switchboard/decider';
import type { PostgresEventStore, RecordedEvent } from '@switchboard/eventsourcing';
import type { RoutingInput } from '../../matching/domain/routing-inputs';
import { agentSkillProfileDecider, routingProfile } from '../domain/agent-skill-profile.decider';
import { teamLeaderShareStream, teamOfShareStream, type TeamLeaderHandlingRatioSet, type TeamLeaderTeamShareEvent } from '../domain/team-leader-share.decider';
import type { AgentSkillProfileEvent } from '../domain/agent-skill-profile.events';
import type { RoutingPolicySet } from '../domain/routing-policy.decider';
import type { GroupMergeEvent } from '../domain/group-merge.decider';

/**
 * Engine inputs that restore the configuration (policies, profiles, merges, the team-leader ratio and the teams' own
 * ratios) from the event store, at `at`.
 */
export async function configurationInputs(store: PostgresEventStore, at: number): Promise<RoutingInput[]> {
  const policies = new Map<string, RoutingPolicySet>();
  const profiles = new Map<string, AgentSkillProfileEvent[]>();
  const merges = new Map<string, GroupMergeEvent>();
  const teamRatios = new Map<string, TeamLeaderTeamShareEvent>();
  let ratio: TeamLeaderHandlingRatioSet | undefined;
  for (let after = 0n, page = await store.readAll(after); page.length > 0; after = page[page.length - 1].globalPosition, page = await store.readAll(after)) {
    page.forEach((e) => collect(e, policies, profiles, merges));
    ratio = page.filter((e) => e.streamId === teamLeaderShareStream).map((e) => e.data as TeamLeaderHandlingRatioSet).pop() ?? ratio;
    for (const e of page) {
      const teamId = teamOfShareStream(e.streamId);
      if (teamId !== undefined) teamRatios.set(teamId, e.data as TeamLeaderTeamShareEvent);
    }
  }
  return [
    ...[...policies.values()].map((e): RoutingInput => ({ type: 'PolicySet', policy: e.data.policy, at })),
    ...[...profiles].map(([agentId, events]): RoutingInput => ({ type: 'AgentProfileChanged', agentId, profile: routingProfile(fold(agentSkillProfileDecider, events)), at })),
    ...(ratio === undefined ? [] : [{ type: 'TeamLeaderShareSet', ratio: ratio.data.ratio, at } as const]),
    // A cleared team ratio is an input too (ratio null), so a clear the journal missed is still applied.
    ...[...teamRatios.values()].map((e): RoutingInput => ({ type: 'TeamLeaderTeamShareSet', teamId: e.data.teamId, ratio: e.type === 'TeamLeaderTeamRatioSet' ? e.data.ratio : null, at })),
    ...[...merges.values()].filter((e) => e.type === 'GroupsMerged')
      .map((e): RoutingInput => ({ type: 'GroupsMerged', groupId: e.data.groupId, queueIds: (e as Extract<GroupMergeEvent, { type: 'GroupsMerged' }>).data.queueIds, at })),
  ];
}

function collect(e: RecordedEvent, policies: Map<string, RoutingPolicySet>, profiles: Map<string, AgentSkillProfileEvent[]>, merges: Map<string, GroupMergeEvent>): void {
  if (e.streamId.startsWith('routing-policy-')) policies.set(e.streamId, e.data as RoutingPolicySet);
  else if (e.streamId.startsWith('group-merge-')) merges.set(e.streamId, e.data as GroupMergeEvent);
  else if (e.streamId.startsWith('agent-skill-profile-')) {
    const agentId = e.streamId.slice('agent-skill-profile-'.length);
    profiles.set(agentId, [...(profiles.get(agentId) ?? []), e.data as AgentSkillProfileEvent]);
  }
}
