import { DeciderSpecification } from '@switchboard/decider';
import { isDomainError } from '@switchboard/domain-errors';
import { agentSkillProfileDecider, routableSkills } from './agent-skill-profile.decider';
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
