import { initialAgentSession, type AgentSession } from './agent.state';
import { transitionAgent } from './agent.decider';
import { transitionCall } from './call.decider';
import { initialCallState, type CallState } from './call.state';
import type { Decided, DecisionContext } from './canonical';
import { isAgentEvent, isCallEvent, type CallVendorEvent, type VendorEvent } from './vendor-events';

/** After-call work longer than this no longer produces CallWrapUpCompleted; the call is forgotten (bounded memory). */
export const WRAP_UP_HORIZON_MS = 30 * 60 * 1000;

export interface TrackerSnapshot {
  readonly calls: ReadonlyMap<string, CallState>;
  readonly agents: ReadonlyMap<string, AgentSession>;
}

/**
 * All calls and agents of one PBX link. Routes each vendor event to the call and/or agent state machine, forgets
 * finished calls, and remembers which subjects changed so the adapter persists only those.
 */
export class CallCenterTracker {
  private readonly calls = new Map<string, CallState>();
  private readonly agents = new Map<string, AgentSession>();
  private readonly changedCalls = new Set<string>();
  private readonly changedAgents = new Set<string>();

  constructor(private readonly ctx: DecisionContext, from?: TrackerSnapshot) {
    from?.calls.forEach((s, k) => this.calls.set(k, s));
    from?.agents.forEach((s, k) => this.agents.set(k, s));
  }

  apply(e: VendorEvent): Decided[] {
    const out: Decided[] = [];
    if (isCallEvent(e)) out.push(...this.applyToCall(e));
    if (isAgentEvent(e)) {
      const t = transitionAgent(this.agents.get(e.agentId) ?? initialAgentSession(), e, this.ctx);
      this.agents.set(e.agentId, t.state);
      this.changedAgents.add(e.agentId);
      out.push(...t.events);
      for (const f of t.followUps) out.push(...this.applyToCall(f));
    }
    return out;
  }

  private applyToCall(e: CallVendorEvent): readonly Decided[] {
    if (e.callKey === null) return [];
    const t = transitionCall(this.calls.get(e.callKey) ?? initialCallState(), e, this.ctx);
    if (t.state.status === 'none') return t.events;
    this.changedCalls.add(e.callKey);
    this.calls.set(e.callKey, t.state);
    if (t.state.status === 'ended' && !t.state.awaitingWrapUp) this.calls.delete(e.callKey);
    this.forgetStale(e.at);
    return t.events;
  }

  // Calls are in insertion order, oldest first: looking at a few per event keeps this O(1) and still drains them.
  private forgetStale(nowMs: number): void {
    let looked = 0;
    for (const [key, s] of this.calls) {
      if (++looked > 4) return;
      if (s.status === 'ended' && nowMs - s.endedAtMs > WRAP_UP_HORIZON_MS) {
        this.calls.delete(key);
        this.changedCalls.add(key);
      }
    }
  }

  /** Subjects changed since the last call, with their state (undefined = forgotten). */
  takeChanges(): { calls: [string, CallState | undefined][]; agents: [string, AgentSession | undefined][] } {
    const calls = [...this.changedCalls].map((k) => [k, this.calls.get(k)] as [string, CallState | undefined]);
    const agents = [...this.changedAgents].map((k) => [k, this.agents.get(k)] as [string, AgentSession | undefined]);
    this.changedCalls.clear();
    this.changedAgents.clear();
    return { calls, agents };
  }

  get size(): { calls: number; agents: number } {
    return { calls: this.calls.size, agents: this.agents.size };
  }
}
