import type { ActiveStep, AgentStrategy } from './routing-policy';
import { callKey, compareCallKeys, compareKeys, type CallKey } from './ranking';
import { rejectionOf, stepRejection } from './eligibility';
import type { LiveAgent, WaitingCall } from './live-state';
import { explainAgentChoice, explainCallChoice, note } from './explanation';
import { MAX_REJECTED_NOTES, MAX_RUNNERS_UP, type CandidateNote, type LiveView, type Match, type Matcher } from './matcher';
import { queuePool, ReadyAgentIndex, skillPool, type IndexedAgent } from './agent-index';
import { WaitingCallIndex } from './call-index';
import type { SortedList } from './sorted-list';

/** How far past the winner a scan goes to name runners-up for the explanation. */
const EXPLANATION_LOOKAHEAD = 24;

interface Scan {
  eligible: IndexedAgent[];
  rejected: CandidateNote[];
  considered: number;
}

/**
 * Per-pool ready-agent lists ordered by the strategy key: the first eligible agent in the right list is the winner,
 * so a decision touches a handful of agents instead of all of them. Waiting calls are bucketed by (queue, step).
 */
export class IndexedMatcher implements Matcher {
  readonly name = 'indexed';
  private readonly agents: ReadyAgentIndex;
  private readonly calls: WaitingCallIndex;

  constructor(private readonly view: LiveView) {
    this.agents = new ReadyAgentIndex(() => view.agents.values());
    this.calls = new WaitingCallIndex((q, i) => view.stepOf(q, i).poolQueueIds);
  }

  agentChanged(before: LiveAgent | undefined, after: LiveAgent | undefined): void {
    this.agents.changed(before, after);
  }

  callChanged(before: WaitingCall | undefined, after: WaitingCall | undefined): void {
    this.calls.changed(before, after);
  }

  configChanged(): void {
    this.calls.configChanged();
  }

  bestAgentFor(call: WaitingCall, now: number): Match | null {
    const step = this.view.stepOf(call.queueId, call.stepIndex, call.callerTier);
    let scans = this.sourceLists(step, false).map((list) => scan(list, call, step, now, stopBelow(step)));
    // Team leaders are the last resort: looked at only when no regular agent is eligible.
    if (this.agents.hasReadyLeaders() && scans.every((s) => s.eligible.length === 0)) {
      scans = [...scans, ...this.sourceLists(step, true).map((list) => scan(list, call, step, now, stopBelow(step)))];
    }
    const eligible = dedupe(scans.flatMap((s) => s.eligible)).sort((a, b) => compareKeys(a.key, b.key)).slice(0, MAX_RUNNERS_UP + 1);
    if (eligible.length === 0) return null;
    const rejected = scans.flatMap((s) => s.rejected).slice(0, MAX_REJECTED_NOTES);
    const considered = scans.reduce((n, s) => n + s.considered, 0);
    const ranked = eligible.map((e) => e.agent);
    return { agent: ranked[0], call, step, explanation: explainAgentChoice(call, step, now, ranked, rejected, considered) };
  }

  bestCallFor(agent: LiveAgent, now: number): Match | null {
    if (agent.availability.status !== 'ready' || agent.leaderShare?.reached === true) return null;
    let best: { call: WaitingCall; step: ActiveStep; key: CallKey } | null = null;
    let eligible = 0;
    for (const bucket of this.calls.bucketsServedBy(agent.queueIds)) {
      if (bucket.calls.size === 0) continue;
      const step = this.view.stepOf(bucket.queueId, bucket.stepIndex, bucket.callerTier);
      if (stepRejection(agent, step) !== null) continue;
      const call = bucket.calls.values().find((c) => !c.excludedAgentIds.has(agent.agentId));
      if (call === undefined) continue;
      eligible += bucket.calls.size;
      const key = callKey(call, step.policy, now, step.depth);
      if (best === null || compareCallKeys(key, best.key) < 0) best = { call, step, key };
    }
    if (best === null) return null;
    return { agent, call: best.call, step: best.step, explanation: explainCallChoice(agent, best.call, best.step, now, eligible) };
  }

  /**
   * One list when the step has skill requirements (the primary skill's for `most-skilled`, else the smallest);
   * `leaders`: the team leaders' lists of the same pools.
   */
  private sourceLists(step: ActiveStep, leaders: boolean): SortedList<IndexedAgent>[] {
    const strategy: AgentStrategy = step.policy.strategy;
    const queueLists = () => [...step.poolQueueIds].map((q) => this.agents.list(queuePool(q, leaders), strategy));
    if (step.requirements.length === 0) return queueLists();
    if (strategy === 'most-skilled') return [this.agents.list(skillPool(step.requirements[0].skillId, leaders), strategy)];
    const options = step.requirements.map((r) => this.agents.list(skillPool(r.skillId, leaders), strategy));
    if (step.poolQueueIds.size === 1) options.push(...queueLists());
    return [options.reduce((a, b) => (b.size < a.size ? b : a))];
  }
}

/** In a `most-skilled` list of the first required skill, everyone after the first too-low proficiency is too low. */
function stopBelow(step: ActiveStep): ((e: IndexedAgent) => boolean) | null {
  if (step.policy.strategy !== 'most-skilled' || step.requirements.length === 0) return null;
  const min = step.requirements[0].minProficiency;
  return (e) => -e.key[0] < min;
}

function scan(list: SortedList<IndexedAgent>, call: WaitingCall, step: ActiveStep, now: number, stop: ((e: IndexedAgent) => boolean) | null): Scan {
  const out: Scan = { eligible: [], rejected: [], considered: 0 };
  const items = list.values();
  let sinceWinner = 0;
  for (let i = 0; i < items.length && out.eligible.length <= MAX_RUNNERS_UP; i++) {
    const e = items[i];
    if (stop !== null && stop(e)) break;
    if (out.eligible.length > 0 && ++sinceWinner > EXPLANATION_LOOKAHEAD) break;
    out.considered++;
    const why = rejectionOf(e.agent, call, step);
    if (why === null) out.eligible.push(e);
    else if (out.rejected.length < MAX_REJECTED_NOTES) out.rejected.push(note(e.agent, step, now, 'rejected', why));
  }
  return out;
}

function dedupe(items: IndexedAgent[]): IndexedAgent[] {
  const seen = new Set<string>();
  return items.filter((e) => !seen.has(e.agent.agentId) && seen.add(e.agent.agentId) !== undefined);
}
