import fc from 'fast-check';
import { RoutingEngine } from '../domain/routing-engine';
import type { RoutingInput } from '../domain/routing-inputs';
import { busyFloor, scenario } from '../test-support/arbitraries';
import { replayScenario, type Scenario } from '../test-support/scenario-driver';
import { policy, step } from '../test-support/engine-spec';
import { decodeEngine, encodeEngine } from './engine-snapshot';

/** Restores of an engine that had made offers (its offer counter matters to what it decides next). */
let restoredAfterOffers = 0;

/**
 * Drives `original` through the scenario, and beside it a second engine that, before every input from `firstCut`
 * on, is replaced by the restore of its own snapshot (a restart at each point). Both must decide exactly alike.
 */
function runWithRestarts(played: Scenario, firstCut: number): void {
  const original = new RoutingEngine();
  let restarted = new RoutingEngine();
  let fed = 0;
  const feed = (input: RoutingInput) => {
    if (fed++ >= firstCut) {
      const saved = encodeEngine(restarted);
      if (!saved.startsWith('{"offerSeq":0,')) restoredAfterOffers++;
      restarted = decodeEngine(saved);
      expect(encodeEngine(restarted)).toBe(saved);
    }
    // Decisions in full, explanations included: the restored engine ranks, offers and numbers exactly as the original.
    expect(restarted.handle(input)).toEqual(original.handle(input));
    expect(restarted.nextExpiryAt()).toBe(original.nextExpiryAt());
  };
  replayScenario(played, original, feed);
  expect(encodeEngine(restarted)).toBe(encodeEngine(original));
}

describe('engine snapshot', () => {
  it('restores an engine that decides exactly as the one saved, restarted at every point of random scenarios (policies, merges, holds, retries, tiers, team leaders)', () => {
    restoredAfterOffers = 0;
    fc.assert(fc.property(scenario, fc.nat({ max: 30 }), (s, firstCut) => runWithRestarts(s, firstCut)), { numRuns: 200 });
    expect(restoredAfterOffers).toBeGreaterThan(0); // some engines had made offers (skill-less floors, in the next test, make many)
  });

  it('restores team leaders\' shares and tiered calls on a busy floor', () => {
    restoredAfterOffers = 0;
    fc.assert(fc.property(busyFloor, fc.nat({ max: 30 }), (s, firstCut) => runWithRestarts(s, firstCut)), { numRuns: 100 });
    expect(restoredAfterOffers).toBeGreaterThan(200); // the offer counter, offers and team offers really are restored
  });

  it('keeps the offer counter, holds, retries and stale expiries an engine has no other trace of', () => {
    const engine = new RoutingEngine();
    engine.handle({ type: 'PolicySet', at: 0, policy: policy('q1', { strategy: 'longest-idle', steps: [step({ expirySeconds: 30 })] }) });
    engine.handle({ type: 'AgentLoggedIn', agentId: 'a1', queueIds: ['q1'], at: 0 });
    engine.handle({ type: 'AgentBecameReady', agentId: 'a1', at: 0 });
    const [assigned] = engine.handle({ type: 'CallQueued', callId: 'c1', queueId: 'q1', at: 1_000 });
    expect(assigned).toMatchObject({ type: 'CallAssigned', data: { offerSeq: 1 } });
    engine.handle({ type: 'AssignmentFailed', callId: 'c1', agentId: 'a1', offerSeq: 1, problem: 'call', at: 2_000 });
    engine.handle({ type: 'AgentLoggedOut', agentId: 'a1', at: 2_500 });
    const restored = decodeEngine(encodeEngine(engine));
    expect([...restored.book.retries.keys()]).toEqual(['c1']);
    expect(restored.nextExpiryAt()).toBe(engine.nextExpiryAt());
    const next = (e: RoutingEngine) => [
      e.handle({ type: 'AgentLoggedIn', agentId: 'a2', queueIds: ['q1'], at: 3_000 }),
      e.handle({ type: 'AgentBecameReady', agentId: 'a2', at: 3_000 }),
      e.handle({ type: 'TimeAdvanced', at: 6_000 }),
    ];
    const decided = next(engine);
    expect(decided.flat()).toContainEqual(expect.objectContaining({ type: 'CallAssigned', data: expect.objectContaining({ offerSeq: 2, agentId: 'a2' }) }));
    expect(next(restored)).toEqual(decided);
  });
});

