import { primarySkillOf, type ActiveStep } from './routing-policy';
import { agentKey, callKey, compareCallKeys, compareKeys, type AgentKey, type CallKey } from './ranking';
import { rejectionOf } from './eligibility';
import type { LiveAgent, WaitingCall } from './live-state';
import { explainAgentChoice, explainCallChoice, note } from './explanation';
import { MAX_REJECTED_NOTES, MAX_RUNNERS_UP, type CandidateNote, type LiveView, type Match, type Matcher } from './matcher';

/**
 * The baseline: scans every agent (or every waiting call) on each decision, with no index. It is also the oracle
 * the indexed matcher is property-tested against.
 */
export class NaiveMatcher implements Matcher {
  readonly name = 'naive-full-scan';

  constructor(private readonly view: LiveView) {}

  agentChanged(): void {}
  callChanged(): void {}
  configChanged(): void {}

  bestAgentFor(call: WaitingCall, now: number): Match | null {
    const step = this.view.stepOf(call.queueId, call.stepIndex, call.callerTier);
    const skill = primarySkillOf(step);
    const top: { agent: LiveAgent; key: AgentKey }[] = [];
    const leaders: { agent: LiveAgent; key: AgentKey }[] = [];
    const rejected: CandidateNote[] = [];
    for (const agent of this.view.agents.values()) {
      const why = rejectionOf(agent, call, step);
      if (why !== null) {
        if (rejected.length < MAX_REJECTED_NOTES && agent.availability.status === 'ready') rejected.push(note(agent, step, now, 'rejected', why));
        continue;
      }
      insertTop(agent.leaderShare === undefined ? top : leaders, { agent, key: agentKey(agent, step.policy.strategy, skill) });
    }
    // Team leaders are the last resort: only when no regular agent is eligible.
    const ranked = (top.length > 0 ? top : leaders).map((t) => t.agent);
    if (ranked.length === 0) return null;
    return { agent: ranked[0], call, step, explanation: explainAgentChoice(call, step, now, ranked, rejected, this.view.agents.size) };
  }

  bestCallFor(agent: LiveAgent, now: number): Match | null {
    let best: { call: WaitingCall; step: ActiveStep; key: CallKey } | null = null;
    let eligible = 0;
    for (const call of this.view.calls.values()) {
      const step = this.view.stepOf(call.queueId, call.stepIndex, call.callerTier);
      if (rejectionOf(agent, call, step) !== null) continue;
      eligible++;
      const key = callKey(call, step.policy, now, step.depth);
      if (best === null || compareCallKeys(key, best.key) < 0) best = { call, step, key };
    }
    if (best === null) return null;
    return { agent, call: best.call, step: best.step, explanation: explainCallChoice(agent, best.call, best.step, now, eligible) };
  }
}

function insertTop(top: { agent: LiveAgent; key: AgentKey }[], item: { agent: LiveAgent; key: AgentKey }): void {
  if (top.length > MAX_RUNNERS_UP && compareKeys(item.key, top[top.length - 1].key) >= 0) return;
  let i = top.length;
  while (i > 0 && compareKeys(item.key, top[i - 1].key) < 0) i--;
  top.splice(i, 0, item);
  if (top.length > MAX_RUNNERS_UP + 1) top.pop();
}
