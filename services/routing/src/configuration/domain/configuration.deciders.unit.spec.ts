import { DeciderSpecification } from '@switchboard/decider';
import { isDomainError } from '@switchboard/domain-errors';
import { agentSkillProfileDecider, routableSkills, routingProfile } from './agent-skill-profile.decider';
import { teamLeaderShareDecider, teamLeaderTeamShareDecider } from './team-leader-share.decider';
import type { AgentSkillProfileEvent } from './agent-skill-profile.events';
import { routingPolicyDecider } from './routing-policy.decider';
import { groupMergeDecider } from './group-merge.decider';
import { queueDecider } from './catalog.decider';
import { policy, step } from '../../matching/test-support/engine-spec';
import { fold } from '@switchboard/decider';

const at = '2026-01-05T09:00:00.000Z';
const rejectsWith = (code: string) => (e: unknown) => isDomainError(e) && e.code === code;
const profile = DeciderSpecification.for(agentSkillProfileDecider);
const certified: AgentSkillProfileEvent = { type: 'SkillCertifiedForRouting', data: { agentId: 'a1', skillId: 'billing', proficiency: 3, certificationId: 'cert-1', assessedBy: 'tr-9', at } };
const certify = { type: 'RecordSkillCertification', data: { agentId: 'a1', skillId: 'billing', proficiency: 3, certificationId: 'cert-1', assessedBy: 'tr-9', at } } as const;

describe('When an agent has no certified skill', () => {
  it('should make the skill routable when training certifies it', () => {
    profile.given([]).when(certify).then([certified]);
    expect(routableSkills(fold(agentSkillProfileDecider, [certified]))).toEqual(new Map([['billing', 3]]));
  });

  it('should record a supervisor grant as bypassing certification, with its reason', () => {
    profile.given([]).when({ type: 'GrantSkill', data: { agentId: 'a1', skillId: 'billing', proficiency: 2, reason: 'training service not live yet', grantedBy: 'sup-1', at } })
      .then([{ type: 'SkillGrantedWithoutCertification', data: { agentId: 'a1', skillId: 'billing', proficiency: 2, reason: 'training service not live yet', grantedBy: 'sup-1', bypassedCertification: true, at } }]);
  });

  it('should refuse a grant without a reason', () => {
    profile.given([]).when({ type: 'GrantSkill', data: { agentId: 'a1', skillId: 'billing', proficiency: 2, reason: ' ', grantedBy: 'sup-1', at } })
      .thenThrows(rejectsWith('ROUTING.GRANT_REASON_REQUIRED'));
  });

  it('should refuse to set a proficiency on a skill that is not certified', () => {
    profile.given([]).when({ type: 'SetSkillProficiency', data: { agentId: 'a1', skillId: 'billing', proficiency: 4, setBy: 'sup-1', at } })
      .thenThrows(rejectsWith('ROUTING.SKILL_NOT_ROUTABLE'));
  });
});

describe('When a skill is certified', () => {
  it('should ignore the same certification delivered twice', () => {
    profile.given([certified]).when(certify).thenNothingHappens();
  });

  it('should stop routing the skill when training revokes that certification', () => {
    profile.given([certified]).when({ type: 'RecordCertificationRevocation', data: { agentId: 'a1', skillId: 'billing', certificationId: 'cert-1', reason: 'expired', at } })
      .then([{ type: 'SkillRoutingRevoked', data: { agentId: 'a1', skillId: 'billing', source: 'training', reason: 'expired', revokedBy: 'training', at } }]);
  });

  it('should not let a supervisor raise proficiency above the certified level', () => {
    profile.given([certified]).when({ type: 'SetSkillProficiency', data: { agentId: 'a1', skillId: 'billing', proficiency: 5, setBy: 'sup-1', at } })
      .thenThrows(rejectsWith('ROUTING.PROFICIENCY_ABOVE_CERTIFIED'));
  });

  it('should remove routability at once when a supervisor revokes it', () => {
    const revoked: AgentSkillProfileEvent = { type: 'SkillRoutingRevoked', data: { agentId: 'a1', skillId: 'billing', source: 'supervisor', reason: 'complaints', revokedBy: 'sup-1', at } };
    profile.given([certified]).when({ type: 'RevokeSkill', data: { agentId: 'a1', skillId: 'billing', reason: 'complaints', revokedBy: 'sup-1', at } }).then([revoked]);
    expect(routableSkills(fold(agentSkillProfileDecider, [certified, revoked])).size).toBe(0);
  });
});

describe('When a routing policy is set', () => {
  const spec = DeciderSpecification.for(routingPolicyDecider);
  const { version: _v, ...p } = policy('q1', { steps: [step({ expirySeconds: 30 }), step()] });

  it('should number each version', () => {
    spec.given([{ type: 'RoutingPolicySet', data: { policy: { ...p, version: 1 }, setBy: 'sup-1', at } }])
      .when({ type: 'SetRoutingPolicy', data: { policy: p, setBy: 'sup-2', at } })
      .then([{ type: 'RoutingPolicySet', data: { policy: { ...p, version: 2 }, setBy: 'sup-2', at } }]);
  });

  it('should reject a step that never expires before the last one, and a proficiency out of range', () => {
    const bad = { ...p, steps: [step({ requirements: [{ skillId: 's', minProficiency: 7 }] }), step()] };
    spec.given([]).when({ type: 'SetRoutingPolicy', data: { policy: bad, setBy: 'sup-1', at } }).thenThrows((e) =>
      rejectsWith('ROUTING.INVALID_POLICY')(e) && (e as { fieldViolations: { field: string }[] }).fieldViolations.map((v) => v.field).join() ===
        'steps[0].requirements[0].minProficiency,steps[0].expirySeconds');
  });
});

describe('When groups are merged', () => {
  const spec = DeciderSpecification.for(groupMergeDecider);
  const merged = { type: 'GroupsMerged', data: { groupId: 'g1', queueIds: ['q1', 'q2'], reason: 'night shift', mergedBy: 'sup-1', at } } as const;

  it('should merge, and refuse a second merge of the same group', () => {
    spec.given([]).when({ type: 'MergeGroups', data: merged.data }).then([merged]);
    spec.given([merged]).when({ type: 'MergeGroups', data: merged.data }).thenThrows(rejectsWith('ROUTING.GROUP_ALREADY_MERGED'));
  });

  it('should refuse to split a group that is not merged', () => {
    spec.given([]).when({ type: 'SplitGroups', data: { groupId: 'g1', reason: 'peak over', splitBy: 'sup-1', at } }).thenThrows(rejectsWith('ROUTING.GROUP_NOT_MERGED'));
  });
});

describe('When a queue is defined', () => {
  const spec = DeciderSpecification.for(queueDecider);
  const queue = { queueId: 'q1', name: 'Billing', skillId: 'billing', serviceLevelThresholdSeconds: 20, serviceLevelTargetPercent: 80, maxWaitingCalls: 0 };

  it('should record nothing when re-defined unchanged', () => {
    spec.given([{ type: 'QueueDefined', data: { queue, by: 'sup-1', at } }]).when({ type: 'DefineQueue', data: { queue, by: 'sup-2', at } }).thenNothingHappens();
  });

  it('should reject a service-level target above 100 %', () => {
    spec.given([]).when({ type: 'DefineQueue', data: { queue: { ...queue, serviceLevelTargetPercent: 120 }, by: 'sup-1', at } }).thenThrows(rejectsWith('ROUTING.INVALID_QUEUE'));
  });
});

describe('RT-06 When the director sets the team-leader handling ratio', () => {
  const spec = DeciderSpecification.for(teamLeaderShareDecider);
  const set = (ratio: number, setByRoles: string[] = ['director'], reason = 'evening peak') =>
    ({ type: 'SetTeamLeaderHandlingRatio', data: { ratio, reason, setBy: 'dir-1', setByRoles, at } }) as const;
  const wasSet = { type: 'TeamLeaderHandlingRatioSet', data: { ratio: 0.2, previousRatio: 0, reason: 'evening peak', setBy: 'dir-1', at } } as const;

  it('should record the new ratio with the one it replaced, who set it and why', () => {
    spec.given([]).when(set(0.2)).then([wasSet]);
    spec.given([wasSet]).when(set(0.05, ['director'], 'traffic back to normal'))
      .then([{ type: 'TeamLeaderHandlingRatioSet', data: { ratio: 0.05, previousRatio: 0.2, reason: 'traffic back to normal', setBy: 'dir-1', at } }]);
  });

  it('should refuse anyone but the director, a manager or supervisor included', () => {
    spec.given([]).when(set(0.2, ['manager', 'supervisor'])).thenThrows(rejectsWith('ROUTING.DIRECTOR_ONLY'));
  });

  it('should refuse a ratio outside 0..1 or a change without a reason, naming the fields', () => {
    spec.given([]).when(set(1.5, ['director'], ' ')).thenThrows((e) => rejectsWith('ROUTING.INVALID_TEAM_LEADER_RATIO')(e)
      && (e as { fieldViolations: { field: string }[] }).fieldViolations.map((v) => v.field).join() === 'ratio,reason');
  });

  it('should record nothing when the ratio is unchanged', () => {
    spec.given([wasSet]).when(set(0.2)).thenNothingHappens();
  });
});

describe('RT-06 When an agent is made the leader of a team', () => {
  const assign = (teamLeader?: boolean) => ({ type: 'AssignTeam', data: { agentId: 'tl-1', teamId: 't1', assignedBy: 'mgr-1', at, ...(teamLeader === undefined ? {} : { teamLeader }) } }) as const;
  const asLeader: AgentSkillProfileEvent = { type: 'AgentTeamAssigned', data: { agentId: 'tl-1', teamId: 't1', teamLeader: true, assignedBy: 'mgr-1', at } };

  it('should record the leadership and hand it to routing with the team', () => {
    profile.given([]).when(assign(true)).then([asLeader]);
    expect(routingProfile(fold(agentSkillProfileDecider, [asLeader]))).toEqual({ teamId: 't1', skills: new Map(), teamLeader: true });
  });

  it('should record stepping down as a plain team assignment, and nothing when unchanged', () => {
    profile.given([asLeader]).when(assign(true)).thenNothingHappens();
    profile.given([asLeader]).when(assign()).then([{ type: 'AgentTeamAssigned', data: { agentId: 'tl-1', teamId: 't1', assignedBy: 'mgr-1', at } }]);
  });

  it('should refuse an empty agent or team id, naming the field', () => {
    profile.given([]).when({ type: 'AssignTeam', data: { agentId: 'tl-1', teamId: ' ', assignedBy: 'mgr-1', at } }).thenThrows(rejectsWith('ROUTING.TEAM_ID_REQUIRED'));
    profile.given([]).when({ type: 'AssignTeam', data: { agentId: '', teamId: 't1', assignedBy: 'mgr-1', at } }).thenThrows(rejectsWith('ROUTING.AGENT_ID_REQUIRED'));
  });
});

describe('RT-11 When a routing policy gives customer tiers priority', () => {
  const spec = DeciderSpecification.for(routingPolicyDecider);
  const { version: _v, ...base } = policy('q1', { ageing: { everySeconds: 10, increment: 1, max: 4 } });
  const fields = (e: unknown) => (e as { fieldViolations: { field: string; description: string }[] }).fieldViolations.map((v) => v.field);

  it('should accept a head start within the ageing cap', () => {
    const tiered = { ...base, tierPriorities: [{ tier: 'vip', boost: 4 }, { tier: 'gold', boost: 1 }] };
    spec.given([]).when({ type: 'SetRoutingPolicy', data: { policy: tiered, setBy: 'sup-1', at } })
      .then([{ type: 'RoutingPolicySet', data: { policy: { ...tiered, version: 1 }, setBy: 'sup-1', at } }]);
  });

  it('should refuse a head start above the cap, a repeated or malformed tier, and a head start without ageing', () => {
    const bad = { ...base, tierPriorities: [{ tier: 'vip', boost: 5 }, { tier: 'vip', boost: 1 }, { tier: 'VIP!', boost: 0 }] };
    spec.given([]).when({ type: 'SetRoutingPolicy', data: { policy: bad, setBy: 'sup-1', at } }).thenThrows((e) => rejectsWith('ROUTING.INVALID_POLICY')(e)
      && fields(e).join() === 'tierPriorities[0].boost,tierPriorities[1].tier,tierPriorities[2].tier,tierPriorities[2].boost');
    const noAgeing = { ...base, ageing: { everySeconds: 0, increment: 0, max: 0 }, tierPriorities: [{ tier: 'vip', boost: 1 }] };
    spec.given([]).when({ type: 'SetRoutingPolicy', data: { policy: noAgeing, setBy: 'sup-1', at } })
      .thenThrows((e) => rejectsWith('ROUTING.INVALID_POLICY')(e) && fields(e).join() === 'tierPriorities[0].boost');
  });
});

describe('RT-06 When the director sets a team\'s own team-leader ratio', () => {
  const spec = DeciderSpecification.for(teamLeaderTeamShareDecider);
  const set = (ratio: number | null, setByRoles: string[] = ['director'], reason = 'team t1 short of agents', teamId = 't1') =>
    ({ type: 'SetTeamLeaderTeamRatio', data: { teamId, ratio, reason, setBy: 'dir-1', setByRoles, at } }) as const;
  const wasSet = { type: 'TeamLeaderTeamRatioSet', data: { teamId: 't1', ratio: 0.3, previousRatio: null, reason: 'team t1 short of agents', setBy: 'dir-1', at } } as const;

  it('should record the team\'s ratio with the one it replaced (none at first), who set it and why', () => {
    spec.given([]).when(set(0.3)).then([wasSet]);
    spec.given([wasSet]).when(set(0.1, ['director'], 'staffed again'))
      .then([{ type: 'TeamLeaderTeamRatioSet', data: { teamId: 't1', ratio: 0.1, previousRatio: 0.3, reason: 'staffed again', setBy: 'dir-1', at } }]);
  });

  it('should record clearing it (the team follows the centre-wide ratio again), and nothing when there is nothing to clear or change', () => {
    spec.given([wasSet]).when(set(null, ['director'], 'back to normal'))
      .then([{ type: 'TeamLeaderTeamRatioCleared', data: { teamId: 't1', previousRatio: 0.3, reason: 'back to normal', setBy: 'dir-1', at } }]);
    spec.given([]).when(set(null)).thenNothingHappens();
    spec.given([wasSet]).when(set(0.3)).thenNothingHappens();
  });

  it('should refuse anyone but the director', () => {
    spec.given([]).when(set(0.3, ['manager', 'supervisor', 'team_leader'])).thenThrows(rejectsWith('ROUTING.DIRECTOR_ONLY'));
  });

  it('should refuse a missing team, a ratio outside 0..1 or no reason, naming the fields', () => {
    spec.given([]).when(set(-0.5, ['director'], '', ' ')).thenThrows((e) => rejectsWith('ROUTING.INVALID_TEAM_LEADER_RATIO')(e)
      && (e as { fieldViolations: { field: string }[] }).fieldViolations.map((v) => v.field).join() === 'team_id,ratio,reason');
    spec.given([wasSet]).when(set(null, ['director'], '')).thenThrows((e) => rejectsWith('ROUTING.INVALID_TEAM_LEADER_RATIO')(e)
      && (e as { fieldViolations: { field: string }[] }).fieldViolations.map((v) => v.field).join() === 'reason');
  });
});

describe('RT-11 When a routing policy has steps for some caller tiers only', () => {
  const spec = DeciderSpecification.for(routingPolicyDecider);
  const { version: _v, ...base } = policy('q1');
  const fields = (e: unknown) => (e as { fieldViolations: { field: string }[] }).fieldViolations.map((v) => v.field);
  const withSteps = (steps: ReturnType<typeof step>[]) => ({ type: 'SetRoutingPolicy', data: { policy: { ...base, steps }, setBy: 'sup-1', at } }) as const;

  it('should accept a dedicated vip desk followed by a step for every call', () => {
    const steps = [step({ callerTiers: ['vip'], teamIds: ['t-vip'], dedicated: true, expirySeconds: 30 }), step()];
    spec.given([]).when(withSteps(steps)).then([{ type: 'RoutingPolicySet', data: { policy: { ...base, steps, version: 1 }, setBy: 'sup-1', at } }]);
  });

  it('should refuse a policy with no step serving every tier, a malformed or repeated tier, and a dedicated step without tiers or desk', () => {
    spec.given([]).when(withSteps([step({ callerTiers: ['vip'] })])).thenThrows((e) => rejectsWith('ROUTING.INVALID_POLICY')(e) && fields(e).join() === 'steps');
    spec.given([]).when(withSteps([step({ callerTiers: ['VIP!', 'gold', 'gold'], expirySeconds: 10 }), step({ dedicated: true, expirySeconds: 10 }), step({ callerTiers: ['vip'], dedicated: true })]))
      .thenThrows((e) => rejectsWith('ROUTING.INVALID_POLICY')(e)
        && fields(e).join() === 'steps[0].callerTiers[0],steps[0].callerTiers[2],steps[1].dedicated,steps[1].dedicated,steps[2].dedicated');
  });
});
