import { nextStepFor, primarySkillOf, stepForTier, tierOfCall } from './routing-policy';
import { callKey, compareCallKeys } from './ranking';
import type { LiveAgent, WaitingCall } from './live-state';
import type { Match } from './matcher';
import type { LiveBook } from './live-book';
import type { Expiry } from './expiry-schedule';
import type { ReofferReason, RoutingDecision } from './routing-decision.events';
import { sameShare, TEAM_LEADER_SHARE_WINDOW } from './team-leader-share';

export const waitSeconds = (call: WaitingCall, at: number) => Math.max(0, at - call.enqueuedAt) / 1000;

/** Call-side decisions: assignment, overflow through the policy steps, final action, re-offer. */
export class CallFlow {
  /** Ordinal of the last offer made (a snapshot keeps it: the gateway's outcomes name offers by it). */
  offerSeq = 0;

  constructor(private readonly book: LiveBook) {}

  routeCall(call: WaitingCall, at: number, out: RoutingDecision[]): void {
    const match = this.book.matcher.bestAgentFor(call, at);
    if (match !== null) this.assign(match, at, out);
  }

  offerCallTo(agent: LiveAgent, at: number, out: RoutingDecision[]): void {
    const match = this.book.matcher.bestCallFor(agent, at);
    if (match !== null) this.assign(match, at, out);
  }

  /** After a policy or merge change: every waiting call, best first, gets a fresh look. */
  rematchAll(at: number, out: RoutingDecision[]): void {
    const ranked = [...this.book.calls.values()]
      .map((c) => ({ c, key: callKey(c, this.book.policyOf(c.queueId), at) }))
      .sort((a, b) => compareCallKeys(a.key, b.key));
    for (const { c } of ranked) if (this.book.calls.has(c.callId)) this.routeCall(c, at, out);
  }

  assign({ agent, call, step, explanation }: Match, at: number, out: RoutingDecision[]): void {
    out.push({ type: 'CallAssigned', data: {
      callId: call.callId, queueId: call.queueId, agentId: agent.agentId, step: step.index, policyId: step.policy.policyId,
      policyVersion: step.policy.version, skillId: primarySkillOf(step), attempt: call.attempt, waitSeconds: waitSeconds(call, at),
      decidedAt: at, offerSeq: ++this.offerSeq, callerTier: call.callerTier, explanation,
    } });
    this.book.setCall(call.callId, undefined);
    this.book.offers.set(call.callId, { call, agentId: agent.agentId, offerSeq: this.offerSeq });
    this.book.setAgent(agent.agentId, { ...agent, availability: { status: 'reserved', callId: call.callId, since: at }, lastOfferSeq: this.offerSeq });
    this.recordTeamOffer(agent, at, out);
  }

  /**
   * Team leaders' shares follow their team's offers (RT-06): a leader whose share fell back below the ratio may
   * take a waiting call at once, so no call waits beside an eligible leader.
   */
  refreshLeaders(ofTeam: string | null, at: number, out: RoutingDecision[]): void {
    for (const agentId of [...this.book.leaders]) {
      const leader = this.book.agents.get(agentId);
      if (leader?.leaderShare === undefined || (ofTeam !== null && leader.teamId !== ofTeam)) continue;
      const share = this.book.shareOf(agentId, leader.teamId);
      if (sameShare(share, leader.leaderShare)) continue;
      const next = { ...leader, leaderShare: share };
      this.book.setAgent(agentId, next);
      if (leader.leaderShare.reached && !share.reached && next.availability.status === 'ready') this.offerCallTo(next, at, out);
    }
  }

  private recordTeamOffer(agent: LiveAgent, at: number, out: RoutingDecision[]): void {
    let offers = this.book.teamOffers.get(agent.teamId);
    if (offers === undefined) this.book.teamOffers.set(agent.teamId, (offers = []));
    offers.push(agent.agentId);
    if (offers.length > TEAM_LEADER_SHARE_WINDOW) offers.shift();
    if (this.book.leaders.size > 0) this.refreshLeaders(agent.teamId, at, out);
  }

  /**
   * Puts an offered call back to waiting, keeping its wait and step. Only an agent who let it ring out is never
   * offered it again; an agent who became unavailable or was refused by the PBX is kept away by their own state.
   */
  reoffer(callId: string, reason: ReofferReason, at: number, out: RoutingDecision[]): void {
    const offer = this.book.offers.get(callId);
    if (offer === undefined) return;
    this.book.offers.delete(callId);
    const excluded = reason === 'ring-no-answer' ? new Set([...offer.call.excludedAgentIds, offer.agentId]) : offer.call.excludedAgentIds;
    const call = { ...offer.call, attempt: offer.call.attempt + 1, excludedAgentIds: excluded };
    out.push({ type: 'CallReoffered', data: { callId, queueId: call.queueId, previousAgentId: offer.agentId, reason, attempt: call.attempt, decidedAt: at } });
    this.book.setCall(callId, call);
    this.routeCall(call, at, out);
  }

  /** Applies every step expiry due by `at`, in time order. */
  expire(at: number, out: RoutingDecision[]): void {
    for (let e = this.book.expiries.popDue(at); e !== undefined; e = this.book.expiries.popDue(at)) {
      const call = this.book.calls.get(e.callId);
      if (call !== undefined && this.isCurrent(call, e)) this.overflow(call, e.at, at, out);
    }
  }

  private isCurrent(call: WaitingCall, e: Expiry): boolean {
    if (call.stepIndex !== e.stepIndex || call.queueId !== e.queueId) return false;
    const expiry = this.book.policyOf(call.queueId).steps[call.stepIndex].expirySeconds;
    return expiry !== null && call.stepStartedAt + expiry * 1000 === e.at;
  }

  private overflow(call: WaitingCall, expiredAt: number, at: number, out: RoutingDecision[]): void {
    const policy = this.book.policyOf(call.queueId);
    const ref = { callId: call.callId, policyId: policy.policyId, policyVersion: policy.version, waitSeconds: waitSeconds(call, at), decidedAt: at };
    // The next step serving the call's tier (RT-11): steps for other tiers only are passed over.
    const next = nextStepFor(policy, tierOfCall(call.callerTier), call.stepIndex + 1);
    if (next >= 0) {
      out.push({ type: 'CallOverflowed', data: { ...ref, queueId: call.queueId, fromStep: call.stepIndex, toStep: next } });
      return this.continueAt({ ...call, stepIndex: next, stepStartedAt: expiredAt }, at, out);
    }
    const final = policy.finalAction;
    if (final.kind === 'keep-waiting') return;
    if (final.kind === 'move-to-queue') {
      out.push({ type: 'CallMovedToQueue', data: { ...ref, fromQueueId: call.queueId, toQueueId: final.queueId, fromStep: call.stepIndex } });
      const entry = stepForTier(this.book.policyOf(final.queueId), tierOfCall(call.callerTier), 0);
      return this.continueAt({ ...call, queueId: final.queueId, stepIndex: entry, stepStartedAt: expiredAt }, at, out);
    }
    this.book.setCall(call.callId, undefined);
    const { callId, waitSeconds: wait } = ref;
    if (final.kind === 'callback-offer') out.push({ type: 'CallbackOffered', data: { callId, queueId: call.queueId, waitSeconds: wait, decidedAt: at } });
    else out.push({ type: 'CallUnroutable', data: { callId, queueId: call.queueId, reason: 'all-steps-expired', waitSeconds: wait, decidedAt: at } });
  }

  private continueAt(next: WaitingCall, at: number, out: RoutingDecision[]): void {
    this.book.setCall(next.callId, next);
    this.routeCall(next, at, out);
  }
}
