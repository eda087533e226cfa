import { boardFingerprint, limitFor, toBoardAgent } from './agent-board';
import { checkPlan, dueSlots, slotStatus } from './signin-schedule';

const agent = (state: string, reason: string | null, secondsInState: number) =>
  ({ agentId: 'E1', tenant: 'acme', site: 'nanchang', state, reason, secondsInState, queueIds: ['billing'] });
const limits = { busy: 300, break: 600, 'wrap-up': 120 };

describe('agent board rules', () => {
  it('should apply the limit of the not-ready reason, else of the state', () => {
    expect(limitFor(agent('not-ready', 'busy', 0), limits)).toBe(300);
    expect(limitFor(agent('wrap-up', null, 0), limits)).toBe(120);
    expect(limitFor(agent('on-call', null, 0), limits)).toBeUndefined();
    expect(limitFor(agent('not-ready', 'meeting', 0), limits)).toBeUndefined();
  });

  it('should flag a breach only strictly over the limit', () => {
    expect(toBoardAgent(agent('not-ready', 'busy', 300), limits).breached).toBe(false);
    expect(toBoardAgent(agent('not-ready', 'busy', 300.5), limits)).toMatchObject({ breached: true, limitSeconds: 300, secondsInState: 300 });
    expect(toBoardAgent(agent('not-ready', 'break', 601), limits).breached).toBe(true);
    expect(toBoardAgent(agent('on-call', null, 9999), limits)).not.toHaveProperty('limitSeconds');
  });

  it('should not change the fingerprint as seconds tick on, only on a new state', () => {
    const at = (asOfMs: number, secs: number, state = 'ready') => boardFingerprint(asOfMs, [toBoardAgent(agent(state, null, secs), limits)]);
    expect(at(10_000, 5)).toBe(at(11_000, 6));
    expect(at(10_000, 5)).not.toBe(at(11_000, 0));
    expect(at(10_000, 5)).not.toBe(at(10_000, 5, 'on-call'));
  });
});

describe('sign-in snapshot schedule (RP-03)', () => {
  const plan = checkPlan({ slots: ['09:00', '14:00', '20:00'], graceMinutes: 30 });

  it('should make a slot due from its time until the grace runs out', () => {
    expect(slotStatus('09:00', 8 * 60 + 59, false, 30)).toBe('pending');
    expect(slotStatus('09:00', 9 * 60, false, 30)).toBe('due');
    expect(slotStatus('09:00', 9 * 60 + 29, false, 30)).toBe('due');
    expect(slotStatus('09:00', 9 * 60 + 30, false, 30)).toBe('missed');
    expect(slotStatus('09:00', 23 * 60, true, 30)).toBe('taken');
  });

  it('should take only due slots not taken yet', () => {
    expect(dueSlots(plan, 14 * 60 + 5, new Set())).toEqual(['14:00']);
    expect(dueSlots(plan, 14 * 60 + 5, new Set(['14:00']))).toEqual([]);
  });

  it('should refuse malformed or unordered times', () => {
    expect(() => checkPlan({ slots: ['9:00'], graceMinutes: 30 })).toThrow(/HH:MM/);
    expect(() => checkPlan({ slots: ['14:00', '09:00'], graceMinutes: 30 })).toThrow(/ascending/);
  });
});
