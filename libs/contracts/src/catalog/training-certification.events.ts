import { Type } from '@sinclair/typebox';
import { defineEvent } from './define-event';
import { AgentId, Ident, SkillId } from './common.schema';

/**
 * Skill certification: the only source of routable skills (RT-08, TR-18). Key and subject: the agent id, so routing
 * sees an agent's certifications in order.
 */
const subject = 'agent id';

export const Proficiency = Type.Integer({ minimum: 1, maximum: 5, description: 'Proficiency level 1 (basic) to 5 (expert)' });

export const SkillCertified = defineEvent({
  name: 'SkillCertified',
  type: 'switchboard.training.certification.skill-certified.v1',
  description: 'The agent passed the skill confirmation; the skill becomes routable at this proficiency.',
  subject,
  data: Type.Object({
    agentId: AgentId,
    skillId: SkillId,
    proficiency: Proficiency,
    certificationId: Ident('Certification record id'),
    assessedBy: Ident('Trainer or examiner employee id'),
  }),
});

export const SkillCertificationRevoked = defineEvent({
  name: 'SkillCertificationRevoked',
  type: 'switchboard.training.certification.skill-revoked.v1',
  description: 'The skill is no longer certified for the agent; routing must stop using it.',
  subject,
  data: Type.Object({
    agentId: AgentId,
    skillId: SkillId,
    certificationId: Ident('The certification being revoked'),
    reason: Type.Union([
      Type.Literal('expired'),
      Type.Literal('failed-recertification'),
      Type.Literal('withdrawn'),
      Type.Literal('employee-left'),
    ]),
  }),
});

export const trainingCertificationEvents = [SkillCertified, SkillCertificationRevoked] as const;
