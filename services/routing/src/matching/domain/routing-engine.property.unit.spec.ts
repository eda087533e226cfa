import fc from 'fast-check';
import { RoutingEngine } from './routing-engine';
import { NaiveMatcher } from './naive-matcher';
import { IndexedMatcher } from './indexed-matcher';
import { rejectionOf } from './eligibility';
import type { LiveView, Match, Matcher } from './matcher';
import type { RoutingInput } from './routing-inputs';
import type { RoutingDecision } from './routing-decision.events';
import { nextStepFor, overtakingBoundMs, servesTier, stepDepth, tierBoost, tierOfCall } from './routing-policy';
import { DEFAULT_TEAM_LEADER_RATIO, TEAM_LEADER_SHARE_WINDOW } from './team-leader-share';
import { busyFloor, QUEUES, scenario, tieredFloor } from '../test-support/arbitraries';
import { replayScenario, type Scenario } from '../test-support/scenario-driver';

/** Checks every match against the raw policy, independently of eligibility.ts, before the engine acts on it. */
class CheckingMatcher implements Matcher {
  readonly name = 'checked-indexed';
  private readonly inner: IndexedMatcher;
  readonly merged = new Map<string, readonly string[]>();
  /** The director's ratios (centre-wide, per team) as the test last set them, and every team's offers as this checker saw them made. */
  ratio = DEFAULT_TEAM_LEADER_RATIO;
  readonly teamRatios = new Map<string, number>();
  private readonly teamOffers = new Map<string, string[]>();
  leaderOffers = 0;
  teamRatioLeaderOffers = 0;
  tieredOffers = 0;
  restrictedStepOffers = 0;
  deskOffers = 0;

  constructor(private readonly view: LiveView, private readonly offersOf: () => Iterable<{ agentId: string }>) {
    this.inner = new IndexedMatcher(view);
  }

  agentChanged: Matcher['agentChanged'] = (b, a) => this.inner.agentChanged(b, a);
  callChanged: Matcher['callChanged'] = (b, a) => this.inner.callChanged(b, a);
  configChanged = () => this.inner.configChanged();
  bestAgentFor: Matcher['bestAgentFor'] = (c, now) => this.check(this.inner.bestAgentFor(c, now));
  bestCallFor: Matcher['bestCallFor'] = (a, now) => this.check(this.inner.bestCallFor(a, now));

  private check(m: Match | null): Match | null {
    if (m === null) return m;
    const { agent, call, step } = m;
    expect(agent.availability.status).toBe('ready');
    expect([...this.offersOf()].some((o) => o.agentId === agent.agentId)).toBe(false);
    const policy = this.view.policyOf(call.queueId);
    const required = policy.steps[call.stepIndex].requirements.filter((r) => !step.merged || policy.essentialSkillIds.includes(r.skillId));
    for (const r of required) expect(agent.skills.get(r.skillId) ?? 0).toBeGreaterThanOrEqual(r.minProficiency);
    expect(call.excludedAgentIds.has(agent.agentId)).toBe(false);
    this.checkTeamLeaderRules(m);
    this.checkTierOvertaking(m);
    this.checkTierSteps(m);
    return m;
  }

  /**
   * RT-11: a call is only ever assigned through a step that serves its tier (no standard call through a vip-only
   * step), and never to an agent of a dedicated desk of the policy that is not for its tier.
   */
  private checkTierSteps({ agent, call }: Match): void {
    const policy = this.view.policyOf(call.queueId);
    const tier = tierOfCall(call.callerTier);
    const at = policy.steps[call.stepIndex];
    expect(servesTier(at, tier) ? 'served' : `${tier} call ${call.callId} assigned through step ${call.stepIndex} for ${at.callerTiers?.join()}`).toBe('served');
    if ((at.callerTiers ?? []).length > 0) this.restrictedStepOffers++;
    for (const s of policy.steps) {
      if (s.dedicated !== true || (s.callerTiers ?? []).length === 0) continue;
      const onDesk = s.teamIds.includes(agent.teamId) || s.agentIds.includes(agent.agentId);
      if (!onDesk) continue;
      this.deskOffers++;
      // The desk member may take the call only if some dedicated step naming them is for the call's tier.
      const allowed = policy.steps.some((d) => d.dedicated === true && (d.callerTiers ?? []).includes(tier) && (d.teamIds.includes(agent.teamId) || d.agentIds.includes(agent.agentId)));
      expect(allowed ? 'allowed' : `${tier} call ${call.callId} went to ${agent.agentId} of a desk for ${s.callerTiers?.join()}`).toBe('allowed');
    }
  }

  /** RT-06: a team leader only when no regular agent may take the call, and within the ratio of the team's last offers. */
  private checkTeamLeaderRules({ agent, call, step }: Match): void {
    const offers = this.teamOffers.get(agent.teamId) ?? [];
    if (agent.leaderShare !== undefined) {
      this.leaderOffers++;
      if (this.teamRatios.has(agent.teamId)) this.teamRatioLeaderOffers++;
      for (const other of this.view.agents.values()) if (other.leaderShare === undefined) expect(rejectionOf(other, call, step)).not.toBeNull();
      const taken = offers.filter((id) => id === agent.agentId).length;
      // The team's own ratio when the director set one, else the centre-wide ratio.
      expect(taken + 1).toBeLessThanOrEqual((this.teamRatios.get(agent.teamId) ?? this.ratio) * (offers.length + 1) + 1e-9);
    }
    this.teamOffers.set(agent.teamId, [...offers, agent.agentId].slice(-TEAM_LEADER_SHARE_WINDOW));
  }

  /**
   * RT-11: no call goes ahead of one of its queue and overflow depth (steps serving its tier passed through), for the
   * same agent, that queued its tier head start earlier.
   */
  private checkTierOvertaking({ agent, call }: Match): void {
    const policy = this.view.policyOf(call.queueId);
    const boost = tierBoost(policy, call.callerTier);
    if (boost > 0) this.tieredOffers++;
    const depth = stepDepth(policy, tierOfCall(call.callerTier), call.stepIndex);
    for (const other of this.view.calls.values()) {
      if (other.callId === call.callId || other.queueId !== call.queueId || stepDepth(policy, tierOfCall(other.callerTier), other.stepIndex) !== depth) continue;
      if (rejectionOf(agent, other, this.view.stepOf(other.queueId, other.stepIndex, other.callerTier)) !== null) continue;
      const bound = overtakingBoundMs(policy, boost, tierBoost(policy, other.callerTier));
      const overtaken = bound !== undefined && other.enqueuedAt < call.enqueuedAt && other.enqueuedAt + bound <= call.enqueuedAt;
      expect(overtaken ? `${call.callId} went ahead of ${other.callId}` : 'in order').toBe('in order');
    }
  }
}

const strip = (ds: RoutingDecision[]) => ds.map((d) => (d.type === 'CallAssigned' ? { ...d, data: { ...d.data, explanation: null } } : d));

function assertSteadyState(engine: RoutingEngine, at: number): void {
  const { book } = engine;
  const offeredAgents = [...book.offers.values()].map((o) => o.agentId);
  expect(new Set(offeredAgents).size).toBe(offeredAgents.length);
  for (const [callId, { agentId }] of book.offers) expect(book.agents.get(agentId)?.availability).toMatchObject({ status: 'reserved', callId });
  for (const [agentId, hold] of book.holds) {
    expect(hold.until).toBeGreaterThan(at);
    expect(book.agents.get(agentId)?.availability.status).not.toBe('ready');
  }
  // A held-back call is neither waiting nor offered, and is due only after `at`.
  for (const [callId, retry] of book.retries) {
    expect(retry.until).toBeGreaterThan(at);
    expect(book.calls.has(callId) || book.offers.has(callId)).toBe(false);
    for (const a of book.agents.values()) expect(a.availability).not.toMatchObject({ status: 'reserved', callId });
  }
  for (const call of book.calls.values()) {
    const step = book.stepOf(call.queueId, call.stepIndex, call.callerTier);
    for (const agent of book.agents.values()) expect(rejectionOf(agent, call, step)).not.toBeNull();
    const policy = book.policyOf(call.queueId);
    // A waiting call sits only in a step that serves its tier, and overflows on time to the next one that does.
    expect(servesTier(policy.steps[call.stepIndex], tierOfCall(call.callerTier))).toBe(true);
    const expiry = policy.steps[call.stepIndex].expirySeconds;
    if (expiry !== null && policy.finalAction.kind !== 'keep-waiting') expect(call.stepStartedAt + expiry * 1000).toBeGreaterThan(at);
    if (expiry !== null && nextStepFor(policy, tierOfCall(call.callerTier), call.stepIndex + 1) >= 0) expect(call.stepStartedAt + expiry * 1000).toBeGreaterThan(at);
  }
}

/** Feeds a scenario to the indexed (checked) and the naive engine, asserting every property on every step. */
function runScenario(played: Scenario): CheckingMatcher {
  let checked: CheckingMatcher | undefined;
  const indexed: RoutingEngine = new RoutingEngine((v) => (checked = new CheckingMatcher(v, () => indexed.book.offers.values())));
  const naive = new RoutingEngine((v) => new NaiveMatcher(v));
  const firstQueued = new Map<string, number>();
  const feed = (input: RoutingInput) => {
    // Timers due before the input (an agent hold ending) still decide under the old ratio, so allow either during it.
    const ratios = checked!.teamRatios;
    if (input.type === 'TeamLeaderShareSet') checked!.ratio = Math.max(checked!.ratio, input.ratio);
    if (input.type === 'TeamLeaderTeamShareSet') ratios.set(input.teamId, Math.max(ratios.get(input.teamId) ?? checked!.ratio, input.ratio ?? checked!.ratio));
    const a = indexed.handle(input);
    if (input.type === 'TeamLeaderShareSet') checked!.ratio = input.ratio;
    if (input.type === 'TeamLeaderTeamShareSet') {
      if (input.ratio === null) ratios.delete(input.teamId);
      else ratios.set(input.teamId, input.ratio);
    }
    expect(strip(a)).toEqual(strip(naive.handle(input)));
    assertSteadyState(indexed, input.at);
    // A re-offered call keeps the wait (and so the aged priority) of its visit.
    for (const call of [...indexed.book.calls.values(), ...[...indexed.book.offers.values()].map((o) => o.call), ...[...indexed.book.retries.values()].map((r) => r.call)]) {
      const key = `${call.callId}#${call.queueVisit}`;
      if (!firstQueued.has(key)) firstQueued.set(key, call.enqueuedAt);
      expect(call.enqueuedAt).toBe(firstQueued.get(key));
    }
  };
  replayScenario(played, indexed, feed);
  expect(checked).toBeDefined();
  expect(QUEUES.length).toBe(played.policies.length);
  return checked!;
}

describe('routing engine properties over random populations', () => {
  it('never violates skill, readiness, one call at a time or a team leader\'s share and last-resort rule; no tiered call overtakes beyond its head start; never leaves a call waiting beside an eligible idle agent; overflows on time; holds and call retries end on time; re-offers and retries keep the wait; indexed == naive', () => {
    fc.assert(fc.property(scenario, (s) => {
      runScenario(s);
    }), { numRuns: 300 });
  });

  it('keeps team leaders to the last resort and their share, and tiered calls to their head start, on a busy floor of tiered calls', () => {
    let leaderOffers = 0;
    let tieredOffers = 0;
    fc.assert(fc.property(busyFloor, (s) => {
      const checked = runScenario(s);
      leaderOffers += checked.leaderOffers;
      tieredOffers += checked.tieredOffers;
    }), { numRuns: 150 });
    // The populations really exercise both rules.
    expect(leaderOffers).toBeGreaterThan(0);
    expect(tieredOffers).toBeGreaterThan(0);
  });

  it('keeps team leaders to their team\'s own ratio where the director set one, and the centre-wide one elsewhere', () => {
    let teamRatioLeaderOffers = 0;
    fc.assert(fc.property(busyFloor, (s) => {
      teamRatioLeaderOffers += runScenario(s).teamRatioLeaderOffers;
    }), { numRuns: 150 });
    expect(teamRatioLeaderOffers).toBeGreaterThan(0);
  });

  it('never assigns a call through a step that does not serve its caller tier (no standard call through a vip-only step), nor to a dedicated desk of another tier', () => {
    let restrictedStepOffers = 0;
    let deskOffers = 0;
    fc.assert(fc.property(tieredFloor, (s) => {
      const checked = runScenario(s);
      restrictedStepOffers += checked.restrictedStepOffers;
      deskOffers += checked.deskOffers;
    }), { numRuns: 200 });
    // Tier-only steps and dedicated desks really took calls.
    expect(restrictedStepOffers).toBeGreaterThan(0);
    expect(deskOffers).toBeGreaterThan(0);
  });
});
