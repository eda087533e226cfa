import type { AgentAvailability, LiveAgent, WaitingCall } from './live-state';
import type { LiveView, Matcher } from './matcher';
import { LiveBook } from './live-book';
import { CallFlow } from './call-flow';
import type { AgentProfile, RoutingInput } from './routing-inputs';
import type { RoutingDecision } from './routing-decision.events';
import { IndexedMatcher } from './indexed-matcher';
import { stepForTier, tierOfCall } from './routing-policy';
import { ENGINE_SNAPSHOT_VERSION, requireSnapshotV1, type EngineSnapshotV1 } from './engine-state';

const NO_PROFILE: AgentProfile = { teamId: '', skills: new Map() };

/**
 * How long an agent is held out of matching after the PBX refused an offer to them or they let a call ring out, in
 * event time: a refused agent is probably not really free. The agent's own next state event from the PBX ends the
 * hold early (ready: offer again; not-ready, on a call: that state).
 */
export const UNAVAILABLE_AGENT_HOLD_MS = 5_000;
const HOLD_REASONS: readonly string[] = ['assignment-refused', 'ring-no-answer'];
/**
 * How long a call the PBX reported not waiting (answered elsewhere, in a retry pause between ring attempts, gone) is
 * held back before it is offered again, in event time; a `CallQueued` of the same visit brings it back at once.
 */
export const CALL_NOT_WAITING_RETRY_MS = 3_000;

/**
 * The live router: folds telephony, configuration and clock inputs into live state and decides, greedily and at
 * once, every assignment that became possible. After each input no waiting call has an eligible ready agent.
 * Deterministic: the same inputs in the same order give the same decisions (restart = replay).
 */
export class RoutingEngine {
  readonly book: LiveBook;
  private readonly flow: CallFlow;

  constructor(makeMatcher: (view: LiveView) => Matcher = (v) => new IndexedMatcher(v)) {
    this.book = new LiveBook(makeMatcher);
    this.flow = new CallFlow(this.book);
  }

  /** The engine's whole state as plain JSON-ready data (see EngineSnapshotV1); `restore` of it decides exactly alike. */
  snapshot(): EngineSnapshotV1 {
    return { version: ENGINE_SNAPSHOT_VERSION, offerSeq: this.flow.offerSeq, ...this.book.saveState() };
  }

  /** An engine in the state `snapshot` saved (throws, naming the version, on a snapshot this release cannot read). */
  static restore(snapshot: EngineSnapshotV1, makeMatcher?: (view: LiveView) => Matcher): RoutingEngine {
    const { version: _v, offerSeq, ...state } = requireSnapshotV1(snapshot);
    const engine = new RoutingEngine(makeMatcher);
    engine.book.loadState(state);
    engine.flow.offerSeq = offerSeq;
    return engine;
  }

  handle(input: RoutingInput): RoutingDecision[] {
    const out: RoutingDecision[] = [];
    this.flow.expire(input.at, out);
    this.endHolds(input.at, out);
    this.endRetries(input.at, out);
    this.apply(input, out);
    // A re-offered or moved call may come back into a step that is already overdue.
    this.flow.expire(input.at, out);
    return out;
  }

  /** When the next policy step may expire or agent hold end: a `TimeAdvanced` before then changes nothing. */
  nextExpiryAt(): number | undefined {
    return this.book.nextDueAt();
  }

  private apply(input: RoutingInput, out: RoutingDecision[]): void {
    const { at } = input;
    switch (input.type) {
      case 'AgentLoggedIn': return this.logIn(input.agentId, input.queueIds, at, out);
      case 'AgentLoggedOut': return this.logOut(input.agentId, at, out);
      case 'AgentQueuesChanged': return this.changeQueues(input.agentId, input.queueIds, at, out);
      case 'AgentBecameReady': return this.becomeReady(input.agentId, at, out);
      case 'AgentBecameNotReady': return this.leaveReady(input.agentId, { status: 'not-ready', reason: input.reason, since: at }, at, out);
      case 'AgentOnCall': return this.startCall(input.agentId, input.callId, at, out);
      case 'AgentStartedWrapUp': return this.leaveReady(input.agentId, { status: 'wrap-up', callId: input.callId, since: at }, at, out);
      case 'AgentProfileChanged': return this.changeProfile(input.agentId, input.profile, at, out);
      case 'CallQueued': return this.queue(input.callId, input.queueId, input.queueVisit ?? 1, input.callerTier, at, out);
      case 'CallAnswered': return this.startCall(input.agentId, input.callId, at, out);
      case 'CallReleased': return this.addOccupancy(input.agentId, input.talkSeconds);
      case 'CallAbandoned': return this.leaveQueue(input.callId, input.queueVisit ?? 1, at, out);
      case 'CallQueueTimedOut': return this.leaveQueue(input.callId, input.queueVisit, at, out);
      case 'RingNoAnswer': return this.ringNoAnswer(input.callId, input.agentId, at, out);
      case 'AssignmentFailed': return this.assignmentFailed(input.callId, input.agentId, input.offerSeq, input.problem ?? 'agent', at, out);
      case 'PolicySet': return this.setPolicy(input, out);
      case 'GroupsMerged': return this.reconfigure(() => this.book.setMerge(input.groupId, input.queueIds), at, out);
      case 'GroupsSplit': return this.reconfigure(() => this.book.setMerge(input.groupId, undefined), at, out);
      case 'TeamLeaderShareSet': {
        this.book.teamLeaderRatio = input.ratio;
        return this.flow.refreshLeaders(null, at, out);
      }
      case 'TeamLeaderTeamShareSet': {
        if (input.ratio === null) this.book.teamLeaderRatios.delete(input.teamId);
        else this.book.teamLeaderRatios.set(input.teamId, input.ratio);
        return this.flow.refreshLeaders(input.teamId, at, out);
      }
      case 'TimeAdvanced': return;
      default: {
        const _exhaustive: never = input;
        return _exhaustive;
      }
    }
  }

  private logIn(agentId: string, queueIds: readonly string[], at: number, out: RoutingDecision[]): void {
    const existing = this.book.agents.get(agentId);
    this.book.holds.delete(agentId);
    if (existing !== undefined && existing.availability.status === 'reserved') this.flow.reoffer(existing.availability.callId, 'agent-unavailable', at, out);
    const profile = this.book.profiles.get(agentId) ?? NO_PROFILE;
    this.book.setAgent(agentId, {
      agentId, teamId: profile.teamId, queueIds: new Set(queueIds), skills: profile.skills,
      availability: { status: 'not-ready', reason: 'logged-in', since: at }, occupiedMs: 0, lastOfferSeq: existing?.lastOfferSeq ?? 0,
      leaderShare: this.leaderShareOf(agentId, profile),
    });
  }

  /** Team leaders carry their share of the team's offers (RT-06); everyone else nothing. */
  private leaderShareOf(agentId: string, profile: AgentProfile): LiveAgent['leaderShare'] {
    return profile.teamLeader === true ? this.book.shareOf(agentId, profile.teamId) : undefined;
  }

  private logOut(agentId: string, at: number, out: RoutingDecision[]): void {
    const agent = this.book.agents.get(agentId);
    if (agent === undefined) return;
    if (agent.availability.status === 'reserved') this.flow.reoffer(agent.availability.callId, 'agent-logged-out', at, out);
    this.book.holds.delete(agentId);
    this.book.setAgent(agentId, undefined);
  }

  /** Joined or left queues: the agent's pools change at once; a ready agent may now take a call of a joined queue. */
  private changeQueues(agentId: string, queueIds: readonly string[], at: number, out: RoutingDecision[]): void {
    const next = { ...this.agentOrImplicit(agentId, at), queueIds: new Set(queueIds) };
    this.book.setAgent(agentId, next);
    if (next.availability.status === 'ready') this.flow.offerCallTo(next, at, out);
  }

  private becomeReady(agentId: string, at: number, out: RoutingDecision[]): void {
    const agent = this.agentOrImplicit(agentId, at);
    const s = agent.availability.status;
    // Ready while an offer is in flight is a stale PBX state; already ready keeps the idle clock running.
    if (s === 'reserved' || s === 'ready') return;
    this.book.holds.delete(agentId);
    const ready = { ...agent, availability: { status: 'ready', since: at } as const };
    this.book.setAgent(agentId, ready);
    this.flow.offerCallTo(ready, at, out);
  }

  private leaveReady(agentId: string, next: AgentAvailability, at: number, out: RoutingDecision[]): void {
    const agent = this.agentOrImplicit(agentId, at);
    if (agent.availability.status === 'reserved') {
      const { callId } = agent.availability;
      if (next.status === 'wrap-up' && next.callId === callId) this.book.offers.delete(callId);
      else this.flow.reoffer(callId, 'agent-unavailable', at, out);
    }
    this.book.holds.delete(agentId);
    this.book.setAgent(agentId, { ...this.book.agents.get(agentId)!, availability: next });
  }

  private startCall(agentId: string, callId: string, at: number, out: RoutingDecision[]): void {
    const agent = this.agentOrImplicit(agentId, at);
    if (agent.availability.status === 'on-call' && agent.availability.callId === callId) return;
    const offered = this.book.offers.get(callId);
    if (offered !== undefined && offered.agentId !== agentId) this.flow.reoffer(callId, 'agent-unavailable', at, out);
    this.book.offers.delete(callId);
    this.book.retries.delete(callId);
    if (this.book.calls.has(callId)) this.book.setCall(callId, undefined);
    if (agent.availability.status === 'reserved' && agent.availability.callId !== callId) this.flow.reoffer(agent.availability.callId, 'agent-unavailable', at, out);
    this.book.holds.delete(agentId);
    this.book.setAgent(agentId, { ...this.book.agents.get(agentId)!, availability: { status: 'on-call', callId, since: at } });
  }

  private changeProfile(agentId: string, profile: AgentProfile, at: number, out: RoutingDecision[]): void {
    this.book.profiles.set(agentId, profile);
    const agent = this.book.agents.get(agentId);
    if (agent === undefined) return;
    const next: LiveAgent = { ...agent, teamId: profile.teamId, skills: profile.skills, leaderShare: this.leaderShareOf(agentId, profile) };
    this.book.setAgent(agentId, next);
    if (next.availability.status === 'ready') this.flow.offerCallTo(next, at, out);
  }

  private queue(callId: string, queueId: string, queueVisit: number, callerTier: string | undefined, at: number, out: RoutingDecision[]): void {
    const retry = this.book.retries.get(callId);
    // Held back as not waiting, and the PBX says it is queued again: offer it now, with its wait and step.
    if (retry !== undefined && retry.call.queueVisit === queueVisit) return this.resume(retry.call, at, out);
    const known = this.book.calls.get(callId) ?? this.book.offers.get(callId)?.call ?? retry?.call;
    if (known !== undefined) {
      if (known.queueVisit >= queueVisit) return;
      // A later visit of a call still tracked: the earlier visit ended without routing hearing of it.
      this.dropCall(callId, at, out);
    }
    // A call enters at the first step serving its tier (RT-11: steps for other tiers only are skipped).
    const stepIndex = stepForTier(this.book.policyOf(queueId), tierOfCall(callerTier), 0);
    const call: WaitingCall = { callId, queueId, queueVisit, enqueuedAt: at, stepIndex, stepStartedAt: at, attempt: 1, excludedAgentIds: new Set<string>(), callerTier };
    this.book.setCall(callId, call);
    this.flow.routeCall(call, at, out);
  }

  private addOccupancy(agentId: string, talkSeconds: number): void {
    const agent = this.book.agents.get(agentId);
    if (agent !== undefined) this.book.setAgent(agentId, { ...agent, occupiedMs: agent.occupiedMs + talkSeconds * 1000 });
  }

  /** Abandon or queue timeout of one visit; an event of another visit than the tracked one changes nothing. */
  private leaveQueue(callId: string, queueVisit: number, at: number, out: RoutingDecision[]): void {
    const known = this.book.calls.get(callId) ?? this.book.offers.get(callId)?.call ?? this.book.retries.get(callId)?.call;
    if (known !== undefined && known.queueVisit === queueVisit) this.dropCall(callId, at, out);
  }

  /** Forgets a waiting, offered or held-back call; an agent it was offered to is free again. */
  private dropCall(callId: string, at: number, out: RoutingDecision[]): void {
    if (this.book.calls.has(callId)) this.book.setCall(callId, undefined);
    this.book.retries.delete(callId);
    const offer = this.book.offers.get(callId);
    if (offer === undefined) return;
    this.book.offers.delete(callId);
    this.release(offer.agentId, callId, at, out);
  }

  /** An agent reserved for `callId` is ready again at once (and may take another call). */
  private release(agentId: string, callId: string, at: number, out: RoutingDecision[]): void {
    const agent = this.book.agents.get(agentId);
    if (agent !== undefined && agent.availability.status === 'reserved' && agent.availability.callId === callId) {
      this.book.setAgent(agent.agentId, { ...agent, availability: { status: 'not-ready', reason: 'offer-cancelled', since: at } });
      this.becomeReady(agent.agentId, at, out);
    }
  }

  private ringNoAnswer(callId: string, agentId: string, at: number, out: RoutingDecision[]): void {
    const agent = this.book.agents.get(agentId);
    if (agent === undefined || agent.availability.status !== 'reserved' || agent.availability.callId !== callId) return;
    out.push({ type: 'AgentMarkedNotReady', data: { agentId, callId, reason: 'ring-no-answer', decidedAt: at } });
    this.hold(agent, 'ring-no-answer', at);
    this.flow.reoffer(callId, 'ring-no-answer', at, out);
  }

  /**
   * The gateway could not carry out the current offer. The agent stood in the way: the call waits again, the agent is
   * held back briefly. The call did (not waiting in a queue): the agent is free at once, the call is held back.
   */
  private assignmentFailed(callId: string, agentId: string, offerSeq: number | null, problem: 'agent' | 'call', at: number, out: RoutingDecision[]): void {
    const offer = this.book.offers.get(callId);
    // A failure of an offer already withdrawn (the agent left ready, the call ended or was offered again) is stale.
    if (offer === undefined || offer.agentId !== agentId || offer.offerSeq !== offerSeq) return;
    if (problem === 'call') return this.retryLater(offer.call, agentId, at, out);
    this.hold(this.book.agents.get(agentId)!, 'assignment-refused', at);
    this.flow.reoffer(callId, 'assignment-failed', at, out);
  }

  private retryLater(offered: WaitingCall, agentId: string, at: number, out: RoutingDecision[]): void {
    const call = { ...offered, attempt: offered.attempt + 1 };
    const retryAt = at + CALL_NOT_WAITING_RETRY_MS;
    this.book.offers.delete(call.callId);
    this.book.retries.set(call.callId, { call, until: retryAt });
    out.push({ type: 'CallReoffered', data: { callId: call.callId, queueId: call.queueId, previousAgentId: agentId, reason: 'call-not-waiting', attempt: call.attempt, decidedAt: at } });
    out.push({ type: 'CallRetryScheduled', data: { callId: call.callId, queueId: call.queueId, previousAgentId: agentId, attempt: call.attempt, retryAt, decidedAt: at } });
    this.release(agentId, call.callId, at, out);
  }

  /** A held-back call waits again (its wait, step and exclusions kept) and is offered at once if an agent is free. */
  private resume(call: WaitingCall, at: number, out: RoutingDecision[]): void {
    this.book.retries.delete(call.callId);
    // The policy may have changed while the call was held back: the nearest step that serves the call's tier.
    const stepIndex = stepForTier(this.book.policyOf(call.queueId), tierOfCall(call.callerTier), call.stepIndex);
    const waiting = stepIndex === call.stepIndex ? call : { ...call, stepIndex };
    this.book.setCall(call.callId, waiting);
    this.flow.routeCall(waiting, at, out);
  }

  /** Held-back calls due by `at` wait again, in time order. */
  private endRetries(at: number, out: RoutingDecision[]): void {
    const due = [...this.book.retries.values()].filter((r) => r.until <= at)
      .sort((x, y) => x.until - y.until || (x.call.callId < y.call.callId ? -1 : 1));
    for (const { call } of due) this.resume(call, at, out);
  }

  private hold(agent: LiveAgent, reason: string, at: number): void {
    this.book.setAgent(agent.agentId, { ...agent, availability: { status: 'not-ready', reason, since: at } });
    this.book.holds.set(agent.agentId, { since: at, until: at + UNAVAILABLE_AGENT_HOLD_MS });
  }

  /** Holds due by `at` end in time order: an agent still in the held episode is ready again. */
  private endHolds(at: number, out: RoutingDecision[]): void {
    const due = [...this.book.holds].filter(([, h]) => h.until <= at)
      .sort(([a, x], [b, y]) => x.until - y.until || (a < b ? -1 : 1));
    for (const [agentId, h] of due) {
      this.book.holds.delete(agentId);
      const s = this.book.agents.get(agentId)?.availability;
      if (s?.status === 'not-ready' && HOLD_REASONS.includes(s.reason) && s.since === h.since) this.becomeReady(agentId, at, out);
    }
  }

  private setPolicy(input: Extract<RoutingInput, { type: 'PolicySet' }>, out: RoutingDecision[]): void {
    const { policy, at } = input;
    this.reconfigure(() => {
      this.book.setPolicy(policy);
      for (const call of [...this.book.calls.values()].filter((c) => c.queueId === policy.queueId)) {
        this.book.setCall(call.callId, undefined);
        this.book.setCall(call.callId, { ...call, stepIndex: stepForTier(policy, tierOfCall(call.callerTier), call.stepIndex) });
      }
    }, at, out);
  }

  private reconfigure(change: () => void, at: number, out: RoutingDecision[]): void {
    change();
    this.flow.rematchAll(at, out);
  }

  private agentOrImplicit(agentId: string, at: number): LiveAgent {
    const agent = this.book.agents.get(agentId);
    if (agent !== undefined) return agent;
    // A state change for an agent whose login we never saw: track it, in no queue until a login says which.
    this.logIn(agentId, [], at, []);
    return this.book.agents.get(agentId)!;
  }
}
