import type { Decider } from '@switchboard/decider';
import { InvalidArgumentError, NotFoundError, PreconditionFailedError } from '@switchboard/domain-errors';
import type { AgentSkillProfile, AgentSkillProfileEvent, RoutableSkill } from './agent-skill-profile.events';
import type { AgentProfile } from '../../matching/domain/routing-inputs';

type Base = { readonly agentId: string; readonly skillId: string; readonly at: string };
export type AgentSkillProfileCommand =
  | { readonly type: 'RecordSkillCertification'; readonly data: Base & { readonly proficiency: number; readonly certificationId: string; readonly assessedBy: string } }
  | { readonly type: 'RecordCertificationRevocation'; readonly data: Base & { readonly certificationId: string; readonly reason: string } }
  | { readonly type: 'GrantSkill'; readonly data: Base & { readonly proficiency: number; readonly reason: string; readonly grantedBy: string } }
  | { readonly type: 'RevokeSkill'; readonly data: Base & { readonly reason: string; readonly revokedBy: string } }
  | { readonly type: 'SetSkillProficiency'; readonly data: Base & { readonly proficiency: number; readonly setBy: string } }
  | { readonly type: 'AssignTeam'; readonly data: { readonly agentId: string; readonly teamId: string; readonly teamLeader?: boolean; readonly assignedBy: string; readonly at: string } };

type Out = AgentSkillProfileEvent[];
const skillOf = (s: AgentSkillProfile, skillId: string): RoutableSkill | undefined => (s.status === 'profiled' ? s.skills[skillId] : undefined);

function requireProficiency(proficiency: number): void {
  if (!Number.isInteger(proficiency) || proficiency < 1 || proficiency > 5) {
    throw new InvalidArgumentError('ROUTING.INVALID_PROFICIENCY', 'proficiency must be 1..5', [{ field: 'proficiency', description: 'an integer from 1 to 5' }]);
  }
}

/** Training certified the skill: routable from now on. A redelivered certification changes nothing. */
export function recordCertification(c: Extract<AgentSkillProfileCommand, { type: 'RecordSkillCertification' }>['data'], s: AgentSkillProfile): Out {
  const current = skillOf(s, c.skillId);
  if (current?.source === 'certified' && current.certificationId === c.certificationId) return [];
  return [{ type: 'SkillCertifiedForRouting', data: { ...c } }];
}

/** Only the certification that made the skill routable can unmake it; a supervisor grant stays until revoked. */
export function recordRevocation(c: Extract<AgentSkillProfileCommand, { type: 'RecordCertificationRevocation' }>['data'], s: AgentSkillProfile): Out {
  const current = skillOf(s, c.skillId);
  if (current?.source !== 'certified' || current.certificationId !== c.certificationId) return [];
  return [{ type: 'SkillRoutingRevoked', data: { agentId: c.agentId, skillId: c.skillId, source: 'training', reason: c.reason, revokedBy: 'training', at: c.at } }];
}

export function grantSkill(c: Extract<AgentSkillProfileCommand, { type: 'GrantSkill' }>['data'], s: AgentSkillProfile): Out {
  requireProficiency(c.proficiency);
  if (c.reason.trim().length < 3) {
    throw new InvalidArgumentError('ROUTING.GRANT_REASON_REQUIRED', 'a grant without certification must say why', [{ field: 'reason', description: 'required' }]);
  }
  if (skillOf(s, c.skillId) !== undefined) throw new PreconditionFailedError('ROUTING.SKILL_ALREADY_ROUTABLE', `${c.skillId} is already routable for ${c.agentId}`);
  return [{ type: 'SkillGrantedWithoutCertification', data: { ...c, bypassedCertification: true } }];
}

export function revokeSkill(c: Extract<AgentSkillProfileCommand, { type: 'RevokeSkill' }>['data'], s: AgentSkillProfile): Out {
  if (skillOf(s, c.skillId) === undefined) throw new NotFoundError('ROUTING.SKILL_NOT_ROUTABLE', `${c.skillId} is not routable for ${c.agentId}`);
  return [{ type: 'SkillRoutingRevoked', data: { agentId: c.agentId, skillId: c.skillId, source: 'supervisor', reason: c.reason, revokedBy: c.revokedBy, at: c.at } }];
}

/** Supervisors tune proficiency, but never above what training certified. */
export function setProficiency(c: Extract<AgentSkillProfileCommand, { type: 'SetSkillProficiency' }>['data'], s: AgentSkillProfile): Out {
  requireProficiency(c.proficiency);
  const current = skillOf(s, c.skillId);
  if (current === undefined) throw new PreconditionFailedError('ROUTING.SKILL_NOT_ROUTABLE', `${c.skillId} is not certified for ${c.agentId}`);
  if (current.source === 'certified' && c.proficiency > current.certifiedProficiency) {
    throw new PreconditionFailedError('ROUTING.PROFICIENCY_ABOVE_CERTIFIED', `certified at ${current.certifiedProficiency}`);
  }
  return current.proficiency === c.proficiency ? [] : [{ type: 'SkillProficiencySet', data: { ...c } }];
}

/** Team and whether the agent leads it; only a team leader event says `teamLeader` (older events read as false). */
export function assignTeam(c: Extract<AgentSkillProfileCommand, { type: 'AssignTeam' }>['data'], s: AgentSkillProfile): Out {
  // AssignTeam is reachable over gRPC: an empty id would create a profile or a team no one can route to.
  if (c.agentId.trim() === '') throw new InvalidArgumentError('ROUTING.AGENT_ID_REQUIRED', 'an agent id is required', [{ field: 'agent_id', description: 'required' }]);
  if (c.teamId.trim() === '') throw new InvalidArgumentError('ROUTING.TEAM_ID_REQUIRED', 'a team id is required', [{ field: 'team_id', description: 'required' }]);
  const teamLeader = c.teamLeader === true;
  if (s.status === 'profiled' && s.teamId === c.teamId && (s.teamLeader === true) === teamLeader) return [];
  const { teamLeader: _flag, ...rest } = c;
  return [{ type: 'AgentTeamAssigned', data: teamLeader ? { ...rest, teamLeader } : rest }];
}

export function decide(command: AgentSkillProfileCommand, state: AgentSkillProfile): Out {
  switch (command.type) {
    case 'RecordSkillCertification': return recordCertification(command.data, state);
    case 'RecordCertificationRevocation': return recordRevocation(command.data, state);
    case 'GrantSkill': return grantSkill(command.data, state);
    case 'RevokeSkill': return revokeSkill(command.data, state);
    case 'SetSkillProficiency': return setProficiency(command.data, state);
    case 'AssignTeam': return assignTeam(command.data, state);
    default: {
      const _exhaustive: never = command;
      return _exhaustive;
    }
  }
}

function withSkill(state: AgentSkillProfile, agentId: string, skillId: string, skill: RoutableSkill | undefined): AgentSkillProfile {
  const base = state.status === 'profiled' ? state : { status: 'profiled' as const, agentId, teamId: null, skills: {} };
  const skills = { ...base.skills };
  if (skill === undefined) delete skills[skillId];
  else skills[skillId] = skill;
  return { ...base, skills };
}

export function evolve(state: AgentSkillProfile, event: AgentSkillProfileEvent): AgentSkillProfile {
  const d = event.data;
  switch (event.type) {
    case 'SkillCertifiedForRouting':
      return withSkill(state, d.agentId, event.data.skillId, { source: 'certified', certificationId: event.data.certificationId, certifiedProficiency: event.data.proficiency, proficiency: event.data.proficiency });
    case 'SkillGrantedWithoutCertification':
      return withSkill(state, d.agentId, event.data.skillId, { source: 'granted', grantedBy: event.data.grantedBy, proficiency: event.data.proficiency });
    case 'SkillProficiencySet': {
      const current = skillOf(state, event.data.skillId);
      return current === undefined ? state : withSkill(state, d.agentId, event.data.skillId, { ...current, proficiency: event.data.proficiency });
    }
    case 'SkillRoutingRevoked': return withSkill(state, d.agentId, event.data.skillId, undefined);
    case 'AgentTeamAssigned': {
      const base = withSkill(state, d.agentId, '', undefined);
      return base.status === 'profiled' ? { ...base, teamId: event.data.teamId, teamLeader: event.data.teamLeader === true } : base;
    }
  }
}

/** What the live engine needs of a profile: team, routable skills and whether the agent leads the team. */
export function routingProfile(state: AgentSkillProfile): AgentProfile {
  if (state.status !== 'profiled') return { teamId: '', skills: new Map() };
  return { teamId: state.teamId ?? '', skills: routableSkills(state), ...(state.teamLeader === true ? { teamLeader: true } : {}) };
}

/** What routing may use: skill id -> proficiency. */
export function routableSkills(state: AgentSkillProfile): Map<string, number> {
  return new Map(state.status === 'profiled' ? Object.entries(state.skills).map(([id, s]) => [id, s.proficiency]) : []);
}

export const agentSkillProfileDecider: Decider<AgentSkillProfileCommand, AgentSkillProfileEvent, AgentSkillProfile> = {
  decide, evolve, initialState: () => ({ status: 'unprofiled' }),
};
