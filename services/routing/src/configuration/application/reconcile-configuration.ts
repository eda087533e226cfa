import type { RoutingEngine } from '../../matching/domain/routing-engine';
import type { AgentProfile, RoutingInput } from '../../matching/domain/routing-inputs';

/**
 * The configuration inputs (from the event store) the engine restored from the journal does not reflect yet: a
 * crash between a configuration command's commit and its journal entry leaves such a gap. Unchanged ones are
 * dropped, so a restart adds nothing to the journal when nothing was lost.
 */
export function configurationDrift(engine: RoutingEngine, config: readonly RoutingInput[], at: number): RoutingInput[] {
  const { book } = engine;
  const drift = config.filter((input) => {
    switch (input.type) {
      case 'PolicySet': {
        const live = book.policyOf(input.policy.queueId);
        return live.policyId !== input.policy.policyId || live.version !== input.policy.version;
      }
      case 'AgentProfileChanged': return !sameProfile(book.profiles.get(input.agentId), input.profile);
      case 'GroupsMerged': return !sameList(book.merges().get(input.groupId), input.queueIds);
      case 'TeamLeaderShareSet': return book.teamLeaderRatio !== input.ratio;
      case 'TeamLeaderTeamShareSet': return (book.teamLeaderRatios.get(input.teamId) ?? null) !== input.ratio;
      default: return true;
    }
  });
  const merged = new Set(config.flatMap((i) => (i.type === 'GroupsMerged' ? [i.groupId] : [])));
  const splits = [...book.merges().keys()].filter((g) => !merged.has(g)).map((groupId): RoutingInput => ({ type: 'GroupsSplit', groupId, at }));
  return [...drift, ...splits];
}

function sameProfile(a: AgentProfile | undefined, b: AgentProfile): boolean {
  if (a === undefined || a.teamId !== b.teamId || a.skills.size !== b.skills.size || (a.teamLeader === true) !== (b.teamLeader === true)) return false;
  return [...b.skills].every(([skill, level]) => a.skills.get(skill) === level);
}

const sameList = (a: readonly string[] | undefined, b: readonly string[]) => a !== undefined && a.length === b.length && a.every((x, i) => x === b[i]);
