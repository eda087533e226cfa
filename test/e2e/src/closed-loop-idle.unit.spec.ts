import type { AgentIntervalRecord, ContactRecord } from '@switchboard/pbx-simulator';
import { idleBesideWaiting } from './closed-loop-idle';

const contact = (queuedAtMs: number, waitMs: number, offers: ContactRecord['offers'] = []): ContactRecord =>
  ({ contactId: 'k1', queue: 'support', queuedAtMs, waitMs, offers } as unknown as ContactRecord);
const ready = (agentId: string, startMs: number, endMs: number): AgentIntervalRecord => ({ kind: 'agent-interval', agentId, state: 'ready', reason: null, startMs, endMs });
const longest = (c: ContactRecord, intervals: AgentIntervalRecord[], members = ['a1', 'a2']) =>
  idleBesideWaiting([c], intervals, (q) => (q === 'support' ? members : []), () => 5_000)[0].longestMs;

describe('idle agent beside a waiting call (closed-loop bound)', () => {
  it('should measure the overlap of the wait with any eligible ready agent', () => {
    expect(longest(contact(0, 60_000), [ready('a1', 10_000, 20_000), ready('a2', 15_000, 30_000)])).toBe(20_000);
    expect(longest(contact(0, 60_000), [ready('a1', 10_000, 20_000)], ['a2'])).toBe(0);
  });

  it('should not count ringing, the retry pause after a ring-no-answer, or the agent who let it ring out', () => {
    const rang = contact(0, 60_000, [{ agentId: 'a1', startMs: 10_000, endMs: 25_000, result: 'no-answer' }]);
    expect(longest(rang, [ready('a1', 0, 60_000)])).toBe(0);
    expect(longest(rang, [ready('a1', 0, 60_000), ready('a2', 0, 12_000)])).toBe(10_000);
    expect(longest(rang, [ready('a2', 0, 60_000)])).toBe(30_000);
  });
});
