import type { AgentAvailability, LiveAgent } from './live-state';
import type { LiveView, Matcher } from './matcher';
import { LiveBook } from './live-book';
import { CallFlow } from './call-flow';
import type { AgentProfile, RoutingInput } from './routing-inputs';
import type { RoutingDecision } from './routing-decision.events';
import { IndexedMatcher } from './indexed-matcher';

const NO_PROFILE: AgentProfile = { teamId: '', skills: new Map() };

/**
 * How long an agent is held out of matching after the PBX refused an offer to them or they let a call ring out, in
 * event time: a refused agent is probably not really free. The agent's own next state event from the PBX ends the
 * hold early (ready: offer again; not-ready, on a call: that state).
 */
export const UNAVAILABLE_AGENT_HOLD_MS = 5_000;
const HOLD_REASONS: readonly string[] = ['assignment-refused', 'ring-no-answer'];

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

  handle(input: RoutingInput): RoutingDecision[] {
    const out: RoutingDecision[] = [];
    this.flow.expire(input.at, out);
    this.endHolds(input.at, out);
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
      case 'AgentBecameReady': return this.becomeReady(input.agentId, at, out);
      case 'AgentBecameNotReady': return this.leaveReady(input.agentId, { status: 'not-ready', reason: input.reason, since: at }, at, out);
      case 'AgentOnCall': return this.startCall(input.agentId, input.callId, at, out);
      case 'AgentStartedWrapUp': return this.leaveReady(input.agentId, { status: 'wrap-up', callId: input.callId, since: at }, at, out);
      case 'AgentProfileChanged': return this.changeProfile(input.agentId, input.profile, at, out);
      case 'CallQueued': return this.queue(input.callId, input.queueId, input.queueVisit ?? 1, at, out);
      case 'CallAnswered': return this.startCall(input.agentId, input.callId, at, out);
      case 'CallReleased': return this.addOccupancy(input.agentId, input.talkSeconds);
      case 'CallAbandoned': return this.leaveQueue(input.callId, input.queueVisit ?? 1, at, out);
      case 'CallQueueTimedOut': return this.leaveQueue(input.callId, input.queueVisit, at, out);
      case 'RingNoAnswer': return this.ringNoAnswer(input.callId, input.agentId, at, out);
      case 'AssignmentFailed': return this.assignmentFailed(input.callId, input.agentId, input.offerSeq, at, out);
      case 'PolicySet': return this.setPolicy(input, out);
      case 'GroupsMerged': return this.reconfigure(() => this.book.setMerge(input.groupId, input.queueIds), at, out);
      case 'GroupsSplit': return this.reconfigure(() => this.book.setMerge(input.groupId, undefined), at, out);
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
    });
  }

  private logOut(agentId: string, at: number, out: RoutingDecision[]): void {
    const agent = this.book.agents.get(agentId);
    if (agent === undefined) return;
    if (agent.availability.status === 'reserved') this.flow.reoffer(agent.availability.callId, 'agent-logged-out', at, out);
    this.book.holds.delete(agentId);
    this.book.setAgent(agentId, undefined);
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
    if (this.book.calls.has(callId)) this.book.setCall(callId, undefined);
    if (agent.availability.status === 'reserved' && agent.availability.callId !== callId) this.flow.reoffer(agent.availability.callId, 'agent-unavailable', at, out);
    this.book.holds.delete(agentId);
    this.book.setAgent(agentId, { ...this.book.agents.get(agentId)!, availability: { status: 'on-call', callId, since: at } });
  }

  private changeProfile(agentId: string, profile: AgentProfile, at: number, out: RoutingDecision[]): void {
    this.book.profiles.set(agentId, profile);
    const agent = this.book.agents.get(agentId);
    if (agent === undefined) return;
    const next = { ...agent, teamId: profile.teamId, skills: profile.skills };
    this.book.setAgent(agentId, next);
    if (next.availability.status === 'ready') this.flow.offerCallTo(next, at, out);
  }

  private queue(callId: string, queueId: string, queueVisit: number, at: number, out: RoutingDecision[]): void {
    const known = this.book.calls.get(callId) ?? this.book.offers.get(callId)?.call;
    if (known !== undefined) {
      if (known.queueVisit >= queueVisit) return;
      // A later visit of a call still tracked: the earlier visit ended without routing hearing of it.
      this.dropCall(callId, at, out);
    }
    const call = { callId, queueId, queueVisit, enqueuedAt: at, stepIndex: 0, stepStartedAt: at, attempt: 1, excludedAgentIds: new Set<string>() };
    this.book.setCall(callId, call);
    this.flow.routeCall(call, at, out);
  }

  private addOccupancy(agentId: string, talkSeconds: number): void {
    const agent = this.book.agents.get(agentId);
    if (agent !== undefined) this.book.setAgent(agentId, { ...agent, occupiedMs: agent.occupiedMs + talkSeconds * 1000 });
  }

  /** Abandon or queue timeout of one visit; an event of another visit than the tracked one changes nothing. */
  private leaveQueue(callId: string, queueVisit: number, at: number, out: RoutingDecision[]): void {
    const known = this.book.calls.get(callId) ?? this.book.offers.get(callId)?.call;
    if (known !== undefined && known.queueVisit === queueVisit) this.dropCall(callId, at, out);
  }

  /** Forgets a waiting or offered call; an agent it was offered to is free again. */
  private dropCall(callId: string, at: number, out: RoutingDecision[]): void {
    if (this.book.calls.has(callId)) this.book.setCall(callId, undefined);
    const offer = this.book.offers.get(callId);
    if (offer === undefined) return;
    this.book.offers.delete(callId);
    const agent = this.book.agents.get(offer.agentId);
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

  /** The gateway could not carry out the current offer: the call waits again, the agent is held back briefly. */
  private assignmentFailed(callId: string, agentId: string, offerSeq: number | null, at: number, out: RoutingDecision[]): void {
    const offer = this.book.offers.get(callId);
    // A failure of an offer already withdrawn (the agent left ready, the call ended or was offered again) is stale.
    if (offer === undefined || offer.agentId !== agentId || offer.offerSeq !== offerSeq) return;
    this.hold(this.book.agents.get(agentId)!, 'assignment-refused', at);
    this.flow.reoffer(callId, 'agent-unavailable', at, out);
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
        this.book.setCall(call.callId, { ...call, stepIndex: Math.min(call.stepIndex, policy.steps.length - 1) });
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
