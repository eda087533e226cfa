/** Stream events of an agent's skill profile (stream `agent-skill-profile-<agentId>`). Times are ISO strings. */
export type SkillCertifiedForRouting = {
  readonly type: 'SkillCertifiedForRouting';
  readonly data: {
    readonly agentId: string; readonly skillId: string; readonly proficiency: number;
    readonly certificationId: string; readonly assessedBy: string; readonly at: string;
  };
};

/** The audited supervisor override of RT-08: routable without a training certification, and says so. */
export type SkillGrantedWithoutCertification = {
  readonly type: 'SkillGrantedWithoutCertification';
  readonly data: {
    readonly agentId: string; readonly skillId: string; readonly proficiency: number; readonly reason: string;
    readonly grantedBy: string; readonly bypassedCertification: true; readonly at: string;
  };
};

export type SkillProficiencySet = {
  readonly type: 'SkillProficiencySet';
  readonly data: { readonly agentId: string; readonly skillId: string; readonly proficiency: number; readonly setBy: string; readonly at: string };
};

export type SkillRoutingRevoked = {
  readonly type: 'SkillRoutingRevoked';
  readonly data: {
    readonly agentId: string; readonly skillId: string; readonly source: 'training' | 'supervisor';
    readonly reason: string; readonly revokedBy: string; readonly at: string;
  };
};

/** `teamLeader`: the agent leads the team and takes calls part-time (RT-06); absent on older events = false. */
export type AgentTeamAssigned = {
  readonly type: 'AgentTeamAssigned';
  readonly data: { readonly agentId: string; readonly teamId: string; readonly teamLeader?: boolean; readonly assignedBy: string; readonly at: string };
};

export type AgentSkillProfileEvent =
  | SkillCertifiedForRouting | SkillGrantedWithoutCertification | SkillProficiencySet | SkillRoutingRevoked | AgentTeamAssigned;

export type RoutableSkill =
  | { readonly source: 'certified'; readonly certificationId: string; readonly certifiedProficiency: number; readonly proficiency: number }
  | { readonly source: 'granted'; readonly grantedBy: string; readonly proficiency: number };

export type AgentSkillProfile =
  | { readonly status: 'unprofiled' }
  | {
    readonly status: 'profiled'; readonly agentId: string; readonly teamId: string | null; readonly skills: Readonly<Record<string, RoutableSkill>>;
    /** Absent on states folded before team leaders existed = false. */
    readonly teamLeader?: boolean;
  };
