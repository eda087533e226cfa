import { createEnvelope, SkillCertificationRevoked, SkillCertified, type AnyEvent } from '@switchboard/contracts';
import { toProfileCommand } from './certification-events.kafka-consumer';

const base = { service: 'training', site: 'nanchang', tenant: 'acme', subject: 'a1', sequence: 1, id: '0190a6f1-0000-7000-8000-000000000001', time: '2026-03-02T09:00:00.000Z' };

describe('training certification events as profile commands', () => {
  it('should turn SkillCertified into a certification record at the event time', () => {
    const event = createEnvelope(SkillCertified, { ...base, data: { agentId: 'a1', skillId: 'billing', proficiency: 3, certificationId: 'cert-1', assessedBy: 'tr-9' } });
    expect(toProfileCommand(event as unknown as AnyEvent)).toEqual({ type: 'RecordSkillCertification',
      data: { agentId: 'a1', skillId: 'billing', proficiency: 3, certificationId: 'cert-1', assessedBy: 'tr-9', at: base.time } });
  });

  it('should turn SkillCertificationRevoked into a revocation of that certification', () => {
    const event = createEnvelope(SkillCertificationRevoked, { ...base, data: { agentId: 'a1', skillId: 'billing', certificationId: 'cert-1', reason: 'expired' } });
    expect(toProfileCommand(event as unknown as AnyEvent)).toMatchObject({ type: 'RecordCertificationRevocation', data: { certificationId: 'cert-1', reason: 'expired' } });
  });
});
