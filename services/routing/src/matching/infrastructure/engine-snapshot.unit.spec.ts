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
      if (restarted.snapshot().offerSeq !== 0) restoredAfterOffers++;
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

  it('reads a snapshot an earlier release wrote (unversioned, Maps and Sets tagged) into the same engine, and refuses an unknown version', () => {
    const engine = new RoutingEngine();
    LEGACY_INPUTS.forEach((i) => engine.handle(i));
    const restored = decodeEngine(LEGACY_SNAPSHOT);
    expect(restored.snapshot()).toEqual(engine.snapshot());
    const next: RoutingInput[] = [
      { type: 'AgentBecameReady', agentId: 'tl', at: 3_000 },
      { type: 'TimeAdvanced', at: 31_000 },
      { type: 'AgentBecameReady', agentId: 'a1', at: 32_000 },
    ];
    const decided = next.map((i) => engine.handle(i));
    expect(decided.flat().map((d) => d.type)).toEqual(['CallOverflowed', 'CallAssigned', 'CallAssigned']);
    expect(next.map((i) => restored.handle(i))).toEqual(decided);
    expect(() => decodeEngine(JSON.stringify({ ...engine.snapshot(), version: 2 }))).toThrow('unsupported routing engine snapshot version 2 (this release reads 1)');
  });
});

/** What the release before versioned snapshots wrote for LEGACY_INPUTS (its encodeEngine output, verbatim). */
const LEGACY_SNAPSHOT = '{"offerSeq":1,"teamLeaderRatio":0.5,"policies":[{"policyId":"pol-q1","version":1,"queueId":"q1","strategy":"most-skilled","finalAction":{"kind":"keep-waiting"},"basePriority":0,"ageing":{"everySeconds":10,"increment":1,"max":3},"essentialSkillIds":[],"tierPriorities":[{"tier":"vip","boost":2}],"steps":[{"requirements":[{"skillId":"s1","minProficiency":3}],"expirySeconds":30,"extraQueueIds":[],"teamIds":[],"agentIds":[]},{"requirements":[],"expirySeconds":null,"extraQueueIds":["q2"],"teamIds":[],"agentIds":[]}]}],"merges":[["g",["q2","q3"]]],"profiles":{"$map":[["a1",{"teamId":"t1","skills":{"$map":[["s1",4],["101",2]]}}],["tl",{"teamId":"t1","skills":{"$map":[]},"teamLeader":true}]]},"agents":{"$map":[["a1",{"agentId":"a1","teamId":"t1","queueIds":{"$set":["q1"]},"skills":{"$map":[["s1",4],["101",2]]},"availability":{"status":"not-ready","reason":"ring-no-answer","since":2000},"occupiedMs":0,"lastOfferSeq":1}],["tl",{"agentId":"tl","teamId":"t1","queueIds":{"$set":["q2"]},"skills":{"$map":[]},"availability":{"status":"not-ready","reason":"logged-in","since":0},"occupiedMs":0,"lastOfferSeq":0,"leaderShare":{"taken":0,"of":1,"ratio":0.5,"reached":false}}]]},"leaders":["tl"],"calls":{"$map":[["c1",{"callId":"c1","queueId":"q1","queueVisit":1,"enqueuedAt":1000,"stepIndex":0,"stepStartedAt":1000,"attempt":2,"excludedAgentIds":{"$set":["a1"]},"callerTier":"vip"}],["c2",{"callId":"c2","queueId":"q1","queueVisit":1,"enqueuedAt":2500,"stepIndex":0,"stepStartedAt":2500,"attempt":1,"excludedAgentIds":{"$set":[]}}]]},"offers":{"$map":[]},"holds":{"$map":[["a1",{"since":2000,"until":7000}]]},"retries":{"$map":[]},"teamOffers":{"$map":[["t1",["a1"]]]},"expiries":[{"at":31000,"callId":"c1","stepIndex":0,"queueId":"q1"},{"at":31000,"callId":"c1","stepIndex":0,"queueId":"q1"},{"at":32500,"callId":"c2","stepIndex":0,"queueId":"q1"}]}';

const LEGACY_INPUTS: RoutingInput[] = [

  { type: 'PolicySet', at: 0, policy: { policyId: 'pol-q1', version: 1, queueId: 'q1', strategy: 'most-skilled', finalAction: { kind: 'keep-waiting' }, basePriority: 0,
    ageing: { everySeconds: 10, increment: 1, max: 3 }, essentialSkillIds: [], tierPriorities: [{ tier: 'vip', boost: 2 }],
    steps: [{ requirements: [{ skillId: 's1', minProficiency: 3 }], expirySeconds: 30, extraQueueIds: [], teamIds: [], agentIds: [] },
      { requirements: [], expirySeconds: null, extraQueueIds: ['q2'], teamIds: [], agentIds: [] }] } },
  { type: 'TeamLeaderShareSet', ratio: 0.5, at: 0 },
  { type: 'GroupsMerged', groupId: 'g', queueIds: ['q2', 'q3'], at: 0 },
  { type: 'AgentProfileChanged', agentId: 'a1', profile: { teamId: 't1', skills: new Map([['s1', 4], ['101', 2]]) }, at: 0 },
  { type: 'AgentProfileChanged', agentId: 'tl', profile: { teamId: 't1', skills: new Map(), teamLeader: true }, at: 0 },
  { type: 'AgentLoggedIn', agentId: 'a1', queueIds: ['q1'], at: 0 },
  { type: 'AgentLoggedIn', agentId: 'tl', queueIds: ['q2'], at: 0 },
  { type: 'AgentBecameReady', agentId: 'a1', at: 500 },
  { type: 'CallQueued', callId: 'c1', queueId: 'q1', callerTier: 'vip', at: 1_000 },
  { type: 'RingNoAnswer', callId: 'c1', agentId: 'a1', at: 2_000 },
  { type: 'CallQueued', callId: 'c2', queueId: 'q1', at: 2_500 },
];
