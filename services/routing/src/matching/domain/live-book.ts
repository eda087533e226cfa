import { activeStep, defaultPolicy, type ActiveStep, type RoutingPolicy } from './routing-policy';
import type { LeaderShare, LiveAgent, WaitingCall } from './live-state';
import { DEFAULT_TEAM_LEADER_RATIO, leaderShareOf } from './team-leader-share';
import type { LiveView, Matcher } from './matcher';
import type { AgentProfile } from './routing-inputs';
import { ExpirySchedule } from './expiry-schedule';
import {
  agentFromState, agentToState, callFromState, callToState, profileFromState, profileToState, type EngineSnapshotV1,
} from './engine-state';

const NO_QUEUES: ReadonlySet<string> = new Set();

/** A call offered to an agent, awaiting the PBX (ringing, answer, ring-no-answer or the gateway's failure). */
export interface Offer {
  readonly call: WaitingCall;
  readonly agentId: string;
  readonly offerSeq: number;
}

/** A call the PBX said was not waiting when it was offered: offered again at `until`, or when it is queued again. */
export interface CallRetry {
  readonly call: WaitingCall;
  readonly until: number;
}

/** The hold is over at `until` if the agent is still in the not-ready episode that began at `since`. */
export interface AgentHold {
  readonly since: number;
  readonly until: number;
}

/**
 * The engine's state, with every change reported to the matcher (so it can keep indexes) and every waiting call's
 * step expiry scheduled.
 */
export class LiveBook implements LiveView {
  readonly agents = new Map<string, LiveAgent>();
  /** Waiting calls only; offered calls live in `offers` until answered, rung out or abandoned. */
  readonly calls = new Map<string, WaitingCall>();
  readonly offers = new Map<string, Offer>();
  /** Agents held out of matching after a refused offer or a ring-no-answer, until `until` (epoch ms). */
  readonly holds = new Map<string, AgentHold>();
  /** Calls held back (not waiting, not offered) after the PBX reported them not waiting, by call id. */
  readonly retries = new Map<string, CallRetry>();
  readonly profiles = new Map<string, AgentProfile>();
  /**
   * RT-06: the director's centre-wide ratio, the teams' own ratios (overriding it), each team's last offers (agent
   * ids, oldest first) and the logged-in team leaders.
   */
  teamLeaderRatio = DEFAULT_TEAM_LEADER_RATIO;
  readonly teamLeaderRatios = new Map<string, number>();
  readonly teamOffers = new Map<string, string[]>();
  readonly leaders = new Set<string>();
  readonly expiries = new ExpirySchedule();
  readonly matcher: Matcher;
  private readonly policies = new Map<string, RoutingPolicy>();
  private readonly mergeGroups = new Map<string, readonly string[]>();
  private mergedByQueue = new Map<string, ReadonlySet<string>>();
  private steps = new Map<string, ActiveStep>();

  constructor(makeMatcher: (view: LiveView) => Matcher) {
    this.matcher = makeMatcher(this);
  }

  setAgent(agentId: string, next: LiveAgent | undefined): void {
    const before = this.agents.get(agentId);
    if (next === undefined) this.agents.delete(agentId);
    else this.agents.set(agentId, next);
    if (next?.leaderShare !== undefined) this.leaders.add(agentId);
    else if (before?.leaderShare !== undefined) this.leaders.delete(agentId);
    this.matcher.agentChanged(before, next);
  }

  /** The ratio that applies to a team's leaders: the team's own, else the centre-wide one. */
  ratioOf(teamId: string): number {
    return this.teamLeaderRatios.get(teamId) ?? this.teamLeaderRatio;
  }

  /** A team leader's share of their team's recent offers under the ratio that applies to the team. */
  shareOf(agentId: string, teamId: string): LeaderShare {
    const own = this.teamLeaderRatios.get(teamId);
    return leaderShareOf(this.teamOffers.get(teamId) ?? [], agentId, own ?? this.teamLeaderRatio, own === undefined ? undefined : teamId);
  }

  setCall(callId: string, next: WaitingCall | undefined): void {
    const before = this.calls.get(callId);
    if (next === undefined) this.calls.delete(callId);
    else this.calls.set(callId, next);
    this.matcher.callChanged(before, next);
    if (next !== undefined && (before === undefined || before.stepStartedAt !== next.stepStartedAt || before.stepIndex !== next.stepIndex || before.queueId !== next.queueId)) {
      this.schedule(next);
    }
  }

  /** When the next step expiry, agent hold or call retry falls due (possibly a stale entry); undefined when none is pending. */
  nextDueAt(): number | undefined {
    let next = this.expiries.nextAt();
    for (const h of this.holds.values()) if (next === undefined || h.until < next) next = h.until;
    for (const r of this.retries.values()) if (next === undefined || r.until < next) next = r.until;
    return next;
  }

  policyOf(queueId: string): RoutingPolicy {
    return this.policies.get(queueId) ?? defaultPolicy(queueId);
  }

  stepOf(queueId: string, stepIndex: number, callerTier?: string): ActiveStep {
    const id = callerTier === undefined ? `${queueId}#${stepIndex}` : `${queueId}#${stepIndex}#${callerTier}`;
    let step = this.steps.get(id);
    if (step === undefined) {
      step = activeStep(this.policyOf(queueId), stepIndex, this.mergedByQueue.get(queueId) ?? NO_QUEUES, callerTier);
      this.steps.set(id, step);
    }
    return step;
  }

  setPolicy(policy: RoutingPolicy): void {
    this.policies.set(policy.queueId, policy);
    this.configChanged();
  }

  setMerge(groupId: string, queueIds: readonly string[] | undefined): void {
    if (queueIds === undefined) this.mergeGroups.delete(groupId);
    else this.mergeGroups.set(groupId, queueIds);
    this.mergedByQueue = new Map();
    for (const queues of this.mergeGroups.values()) {
      for (const q of queues) this.mergedByQueue.set(q, new Set([...(this.mergedByQueue.get(q) ?? []), ...queues]));
    }
    this.configChanged();
  }

  /** Active merge groups and their queues. */
  merges(): ReadonlyMap<string, readonly string[]> {
    return this.mergeGroups;
  }

  /** Pending expiry of the call's current step (a stale entry is skipped when popped). */
  schedule(call: WaitingCall): void {
    const expiry = this.policyOf(call.queueId).steps[call.stepIndex].expirySeconds;
    if (expiry !== null) this.expiries.push({ at: call.stepStartedAt + expiry * 1000, callId: call.callId, stepIndex: call.stepIndex, queueId: call.queueId });
  }

  /** The book's part of a snapshot (everything but the offer counter), in iteration order. */
  saveState(): Omit<EngineSnapshotV1, 'version' | 'offerSeq'> {
    return {
      teamLeaderRatio: this.teamLeaderRatio,
      teamLeaderRatios: [...this.teamLeaderRatios].map(([teamId, ratio]) => ({ teamId, ratio })),
      policies: [...this.policies.values()],
      merges: [...this.mergeGroups].map(([groupId, queueIds]) => ({ groupId, queueIds })),
      profiles: [...this.profiles].map(([agentId, p]) => profileToState(agentId, p)),
      agents: [...this.agents.values()].map(agentToState),
      leaders: [...this.leaders],
      calls: [...this.calls.values()].map(callToState),
      offers: [...this.offers.values()].map((o) => ({ ...o, call: callToState(o.call) })),
      holds: [...this.holds].map(([agentId, h]) => ({ agentId, since: h.since, until: h.until })),
      retries: [...this.retries.values()].map((r) => ({ call: callToState(r.call), until: r.until })),
      teamOffers: [...this.teamOffers].map(([teamId, agentIds]) => ({ teamId, agentIds: [...agentIds] })),
      expiries: [...this.expiries.entries()],
    };
  }

  /** Loads a saved state into this (new, empty) book through the same setters live inputs use, so indexes follow. */
  loadState(s: Omit<EngineSnapshotV1, 'version' | 'offerSeq'>): void {
    s.policies.forEach((p) => this.setPolicy(p));
    s.merges.forEach((m) => this.setMerge(m.groupId, m.queueIds));
    this.teamLeaderRatio = s.teamLeaderRatio;
    s.teamLeaderRatios.forEach((r) => this.teamLeaderRatios.set(r.teamId, r.ratio));
    s.profiles.forEach((p) => this.profiles.set(p.agentId, profileFromState(p)));
    s.teamOffers.forEach((t) => this.teamOffers.set(t.teamId, [...t.agentIds]));
    s.agents.forEach((a) => this.setAgent(a.agentId, agentFromState(a)));
    this.leaders.clear();
    s.leaders.forEach((agentId) => this.leaders.add(agentId));
    // setCall also schedules each call's step expiry; the saved heap replaces those entries below.
    s.calls.forEach((c) => this.setCall(c.callId, callFromState(c)));
    s.offers.forEach((o) => this.offers.set(o.call.callId, { ...o, call: callFromState(o.call) }));
    s.holds.forEach((h) => this.holds.set(h.agentId, { since: h.since, until: h.until }));
    s.retries.forEach((r) => this.retries.set(r.call.callId, { call: callFromState(r.call), until: r.until }));
    this.expiries.replaceWith(s.expiries);
  }

  private configChanged(): void {
    this.steps = new Map();
    this.matcher.configChanged();
  }
}
