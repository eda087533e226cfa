import { initialAgentSession, type AgentSession } from './agent.state';
import { isCompleting, POST_CALL_PAUSE_WINDOW_MS, settleCompletion, transitionAgent, type AgentTransition } from './agent.decider';
import { transitionCall } from './call.decider';
import { initialCallState, upgradeCallState, type CallState } from './call.state';
import type { Decided, DecisionContext } from './canonical';
import { isAgentEvent, isCallEvent, type CallVendorEvent, type VendorEvent } from './vendor-events';

const isFinished = (s: CallState): boolean => s.status === 'ended' && s.wrapUps.length === 0 && s.recordings.length === 0;
const lastPbxTimeOf = (s: CallState): number =>
  s.status === 'queued' ? s.queuedAtMs : s.status === 'connected' ? s.answeredAtMs : s.status === 'ended' ? s.endedAtMs : 0;

/** After-call work longer than this no longer produces CallWrapUpCompleted; the call is forgotten (bounded memory). */
export const WRAP_UP_HORIZON_MS = 30 * 60 * 1000;
/**
 * A call waiting for a recording's file is kept this long (PBX time) after it ended: reading always ends within
 * seconds of wall time, but a PBX clock running faster than the wall (a simulator, a replay) must not outrun it. A
 * gateway restarted mid-read reads the file again at start (recordingsToReread); past this it is forgotten.
 */
export const RECORDING_HORIZON_MS = 6 * 60 * 60 * 1000;
/**
 * An ended call with nothing left to wait for is still remembered this long (PBX time), so late facts about it (the
 * outcome of a routing assignment that raced the caller's hang-up) continue its sequence instead of restarting at 1.
 */
export const ENDED_RETENTION_MS = 2 * 60 * 1000;

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
  /** Calls that became finished (ended, no wrap-up open), oldest first: forgotten ENDED_RETENTION_MS later. */
  private readonly retiring: { key: string; sinceMs: number }[] = [];
  /** Agents whose call ended and whose next state waits for what follows (see transitionAgent). */
  private readonly completing = new Set<string>();

  /** PBX time of the latest fact applied (or restored): the time stamped on outcomes the gateway itself learns. */
  private latestAtMs: number | null = null;

  constructor(private readonly ctx: DecisionContext, from?: TrackerSnapshot) {
    from?.calls.forEach((s, k) => this.calls.set(k, upgradeCallState(s)));
    from?.agents.forEach((s, k) => {
      this.agents.set(k, s);
      if (isCompleting(s)) this.completing.add(k);
    });
    for (const s of this.calls.values()) this.latestAtMs = Math.max(this.latestAtMs ?? 0, lastPbxTimeOf(s));
  }

  /**
   * Applies one vendor event. A routing assignment's outcome happens on the gateway's clock; it is stamped with the
   * PBX time last seen instead, so the call's events stay on one (PBX) time line, which a simulator may run compressed.
   */
  apply(event: VendorEvent): Decided[] {
    const e = event.type === 'AssignmentSettled' && this.latestAtMs !== null ? { ...event, at: this.latestAtMs } : event;
    const out: Decided[] = [];
    if (e.type !== 'AssignmentSettled') {
      this.latestAtMs = Math.max(this.latestAtMs ?? e.at, e.at);
      // The PBX has moved on past the window: no pause followed those calls' ends.
      out.push(...this.settleCompletions(this.latestAtMs - POST_CALL_PAUSE_WINDOW_MS));
    }
    if (isCallEvent(e)) out.push(...this.applyToCall(e));
    if (isAgentEvent(e)) out.push(...this.applyToAgent(e.agentId, (s) => transitionAgent(s, e, this.ctx)));
    return out;
  }

  /**
   * Decides the state after every ended call still waiting for what follows whose end is before `beforeMs` (PBX
   * time); by default all of them (the PBX has been quiet for a while: nothing followed).
   */
  settleCompletions(beforeMs = Infinity): Decided[] {
    const out: Decided[] = [];
    for (const agentId of [...this.completing]) {
      const s = this.agents.get(agentId);
      if (s === undefined || !isCompleting(s)) this.completing.delete(agentId);
      else if (s.completing.atMs < beforeMs) out.push(...this.applyToAgent(agentId, () => settleCompletion(s)));
    }
    return out;
  }

  get pendingCompletions(): number {
    return this.completing.size;
  }

  private applyToAgent(agentId: string, transition: (s: AgentSession) => AgentTransition): Decided[] {
    const t = transition(this.agents.get(agentId) ?? initialAgentSession());
    this.agents.set(agentId, t.state);
    this.changedAgents.add(agentId);
    if (isCompleting(t.state)) this.completing.add(agentId);
    else this.completing.delete(agentId);
    return [...t.events, ...t.followUps.flatMap((f) => this.applyToCall(f))];
  }

  private applyToCall(e: CallVendorEvent): readonly Decided[] {
    if (e.callKey === null) return [];
    this.forgetRetired(e.at);
    const before = this.calls.get(e.callKey) ?? initialCallState();
    const t = transitionCall(before, e, this.ctx);
    if (t.state.status === 'none') return t.events;
    this.changedCalls.add(e.callKey);
    this.calls.set(e.callKey, t.state);
    if (isFinished(t.state) && !isFinished(before)) this.retiring.push({ key: e.callKey, sinceMs: e.at });
    this.forgetStale(e.at);
    return t.events;
  }

  private forgetRetired(nowMs: number): void {
    while (this.retiring.length > 0 && nowMs - this.retiring[0].sinceMs > ENDED_RETENTION_MS) {
      const { key } = this.retiring.shift()!;
      const s = this.calls.get(key);
      if (s !== undefined && isFinished(s)) {
        this.calls.delete(key);
        this.changedCalls.add(key);
      }
    }
  }

  // Calls are in insertion order, oldest first: looking at a few per event keeps this O(1) and still drains them.
  private forgetStale(nowMs: number): void {
    let looked = 0;
    for (const [key, s] of this.calls) {
      if (++looked > 4) return;
      if (s.status === 'ended' && nowMs - s.endedAtMs > (s.recordings.length === 0 ? WRAP_UP_HORIZON_MS : RECORDING_HORIZON_MS)) {
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
