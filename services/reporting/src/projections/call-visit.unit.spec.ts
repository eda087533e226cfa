import { KnownVisit, resolveVisit } from './call-visit';

const at = (hhmm: string) => Date.parse(`2025-03-14T${hhmm}:00+08:00`);

describe('queue visit of events that name none', () => {
  // c7: visit 1 entered 10:00, answered by E1; blindly transferred back at 10:02, visit 2 entered 10:02:30, answered by E2.
  const visits: KnownVisit[] = [
    { visit: 1, agentId: 'E1', queuedAtMs: at('10:00') },
    { visit: 2, agentId: 'E2', queuedAtMs: at('10:02') + 30_000 },
  ];

  it('should give a release or hold to the latest visit the agent answered', () => {
    expect(resolveVisit(visits, { agentId: 'E2', atMs: at('10:09') })).toBe(2);
    expect(resolveVisit(visits, { agentId: 'E1', atMs: at('10:01') })).toBe(1);
  });

  it("should give the first agent's late wrap-up to the first visit even after the call re-queued", () => {
    expect(resolveVisit(visits, { agentId: 'E1', atMs: at('10:04') })).toBe(1);
  });

  it('should give the same agent answering twice the visit entered by then', () => {
    const again: KnownVisit[] = [visits[0], { ...visits[1], agentId: 'E1' }];
    expect(resolveVisit(again, { agentId: 'E1', atMs: at('10:02') })).toBe(1); // the transfer, before visit 2 entered
    expect(resolveVisit(again, { agentId: 'E1', atMs: at('10:09') })).toBe(2);
  });

  it('should keep an event at the instant a later visit entered on the earlier visit (a republished copy resolves alike)', () => {
    // E9 (an attended transfer's target, answered no visit) transfers blindly at 10:02:30, the instant visit 2 enters.
    const atEntry = { agentId: 'E9', atMs: at('10:02') + 30_000 };
    expect(resolveVisit([visits[0]], atEntry)).toBe(1); // applied first, before visit 2 existed
    expect(resolveVisit(visits, atEntry)).toBe(1); // the same event again, after visit 2 was projected
  });

  it('should fall back to the latest visit entered, then to the first', () => {
    expect(resolveVisit(visits, { agentId: 'E9', atMs: at('10:09') })).toBe(2);
    expect(resolveVisit([], { agentId: 'E1', atMs: at('10:09') })).toBe(1);
    expect(resolveVisit(visits, { visit: 3 })).toBe(3);
  });
});
