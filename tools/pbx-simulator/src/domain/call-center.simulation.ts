import { planAgents, type AgentPlan } from './agent-roster';
import { generateArrivals } from './arrival-curve';
import { chance, sample } from './distributions';
import { EventQueue } from './event-queue';
import type { Rng } from './prng';
import { chooseAgent, type RoutableAgent } from './routing-strategy';
import { timeOfDaySeconds, type QueueSpec, type Scenario } from './scenario';
import type { SimFact } from './sim-facts';

export type RoutingMode = 'internal' | 'external';

type AgentStatus = 'logged-out' | 'ready' | 'ringing' | 'talking' | 'acw' | 'not-ready';
type PendingAction = { kind: 'pause'; reason: string; minutes: number } | { kind: 'logout'; early: boolean };

interface Agent extends RoutableAgent {
  readonly plan: AgentPlan;
  status: AgentStatus;
  pending: PendingAction[];
  pauseToken: number;
  currentCall: Call | null;
}

type CallStatus = 'waiting' | 'ringing' | 'retry-wait' | 'connected' | 'ended';

interface Call {
  readonly id: string;
  readonly callerNumber: string;
  visit: number;
  contactId: string;
  queue: QueueState;
  status: CallStatus;
  queuedAt: number;
  originalPosition: number;
  /** Bumped whenever the call leaves the queue, so timers of an earlier queue visit are ignored. */
  visitToken: number;
  ringToken: number;
  ringingAgent: Agent | null;
  ringStartedAt: number;
  agent: Agent | null;
  answeredAt: number;
}

interface QueueState {
  readonly spec: QueueSpec;
  readonly members: Agent[];
  readonly waiting: Call[];
  readonly rr: { lastIndex: number };
}

type SimEvent =
  | { kind: 'arrival'; queue: string; callerNumber: string | null; repeatOf: string | null }
  | { kind: 'login' | 'logout' | 'unplanned'; agent: Agent }
  | { kind: 'pause'; agent: Agent; reason: string; minutes: number }
  | { kind: 'unpause'; agent: Agent; token: number }
  | { kind: 'patience' | 'queue-timeout' | 'routing-deadline' | 'retry'; call: Call; token: number }
  | { kind: 'ring-timeout' | 'agent-answers'; call: Call; token: number }
  | { kind: 'hold' | 'unhold' | 'talk-end' | 'consult-end' | 'transferred-end' | 'timed-out-end'; call: Call }
  | { kind: 'conference-start' | 'conference-end'; call: Call; party: string }
  | { kind: 'acw-end'; agent: Agent; call: Call; contactId: string };

export type ExternalRoutingResult = { ok: true } | { ok: false; reason: string };

/**
 * Discrete-event simulation of an inbound call center. Pure: time only moves through `advanceTo`, randomness only
 * comes from the seeded Rng, and everything observable leaves through `drainFacts`.
 */
export class CallCenterSimulation {
  readonly dayStartMs: number;
  readonly startMs: number;
  readonly endMs: number;
  private readonly events = new EventQueue<SimEvent>();
  private readonly queues = new Map<string, QueueState>();
  private readonly agents = new Map<string, Agent>();
  private facts: SimFact[] = [];
  private nowMs: number;
  private callSeq = 0;
  private activeCalls = 0;
  private agentsInAcw = 0;
  private readonly rng: { call: Rng; caller: Rng; routing: Rng; agent: Rng };

  constructor(
    private readonly scenario: Scenario,
    rng: Rng,
    private readonly routingMode: RoutingMode = 'internal',
  ) {
    this.dayStartMs = Date.parse(`${scenario.date}T00:00:00Z`);
    this.startMs = this.dayStartMs + timeOfDaySeconds(scenario.startTime) * 1000;
    this.endMs = this.startMs + scenario.durationHours * 3_600_000;
    this.nowMs = this.startMs;
    this.rng = { call: rng.fork('calls'), caller: rng.fork('callers'), routing: rng.fork('routing'), agent: rng.fork('agent-behaviour') };
    for (const spec of scenario.queues) this.queues.set(spec.name, { spec, members: [], waiting: [], rr: { lastIndex: -1 } });
    this.scheduleAgents(rng.fork('roster'));
    this.scheduleArrivals(rng.fork('arrivals'));
  }

  get now(): number {
    return this.nowMs;
  }

  /** Simulated time of the next pending event (Infinity when the day is over). */
  nextEventAt(): number {
    return this.isFinished() ? Infinity : this.events.peekTime();
  }

  isFinished(): boolean {
    return this.events.size === 0 || (this.nowMs >= this.endMs && this.activeCalls === 0 && this.agentsInAcw === 0);
  }

  /** Processes every event up to `targetMs` (or at most `maxEvents`), then sets the clock to `targetMs`. */
  advanceTo(targetMs: number, maxEvents = Infinity): void {
    let processed = 0;
    while (processed < maxEvents && !this.isFinished() && this.events.peekTime() <= targetMs) {
      const next = this.events.pop()!;
      this.nowMs = Math.max(this.nowMs, next.at);
      this.handle(next.item);
      processed++;
    }
    if (processed < maxEvents && targetMs !== Infinity) this.nowMs = Math.max(this.nowMs, targetMs);
  }

  drainFacts(): SimFact[] {
    const drained = this.facts;
    this.facts = [];
    return drained;
  }

  agentIds(): string[] {
    return [...this.agents.keys()];
  }

  /** External routing: connect a queued call to an agent, as the platform's routing decision asks. */
  routeCall(callId: string, agentId: string): ExternalRoutingResult {
    const call = this.findWaitingCall(callId);
    const agent = this.agents.get(agentId);
    if (!call) return { ok: false, reason: `call ${callId} is not waiting in a queue` };
    if (!agent || agent.status !== 'ready') return { ok: false, reason: `agent ${agentId} is not available` };
    this.startRinging(call, agent);
    return { ok: true };
  }

  private findWaitingCall(callId: string): Call | undefined {
    for (const queue of this.queues.values()) {
      const call = queue.waiting.find((c) => c.id === callId);
      if (call) return call.status === 'waiting' ? call : undefined;
    }
    return undefined;
  }

  private emit(fact: SimFact): void {
    this.facts.push(fact);
  }

  private schedule(at: number, event: SimEvent): void {
    this.events.push(Math.round(at), event);
  }

  // ───────────────────────────── setup ─────────────────────────────

  private scheduleAgents(rng: Rng): void {
    for (const plan of planAgents(this.scenario, this.dayStartMs, rng)) {
      const agent: Agent = { plan, agentId: plan.agentId, status: 'logged-out', pending: [], pauseToken: 0, currentCall: null, lastCallEndAt: 0, callsTaken: 0 };
      this.agents.set(plan.agentId, agent);
      for (const membership of plan.queues) this.queues.get(membership.queue)!.members.push(agent);
      this.schedule(Math.max(plan.loginAtMs, this.startMs), { kind: 'login', agent });
      this.schedule(plan.logoutAtMs, { kind: 'logout', agent });
      for (const b of plan.breaks.filter((x) => x.atMs >= this.startMs)) this.schedule(b.atMs, { kind: 'pause', agent, reason: b.reason, minutes: b.minutes });
    }
  }

  private scheduleArrivals(rng: Rng): void {
    const from = (this.startMs - this.dayStartMs) / 1000;
    const to = (this.endMs - this.dayStartMs) / 1000;
    for (const queue of this.queues.values()) {
      const spec = queue.spec;
      for (const second of generateArrivals(spec.arrivals, spec.suddenPeaks ?? [], from, to, rng.fork(spec.name))) {
        this.schedule(this.dayStartMs + second * 1000, { kind: 'arrival', queue: spec.name, callerNumber: null, repeatOf: null });
      }
    }
  }

  // ───────────────────────────── dispatch ─────────────────────────────

  private handle(event: SimEvent): void {
    switch (event.kind) {
      case 'arrival':
        return this.onArrival(event.queue, event.callerNumber, event.repeatOf);
      case 'login':
        return this.onLogin(event.agent);
      case 'logout':
        return this.requestAgentAction(event.agent, { kind: 'logout', early: event.agent.plan.leavesEarly });
      case 'pause':
        return this.requestAgentAction(event.agent, { kind: 'pause', reason: event.reason, minutes: event.minutes });
      case 'unplanned':
        return this.onUnplannedNotReady(event.agent);
      case 'unpause':
        return this.onUnpause(event.agent, event.token);
      case 'patience':
        return this.onCallerGivesUp(event.call, event.token, 'abandon');
      case 'queue-timeout':
        return this.onCallerGivesUp(event.call, event.token, 'timeout');
      case 'routing-deadline':
        return this.onRoutingDeadline(event.call, event.token);
      case 'retry':
        return this.onRetry(event.call, event.token);
      case 'ring-timeout':
        return this.onRingTimeout(event.call, event.token);
      case 'agent-answers':
        return this.onAgentAnswers(event.call, event.token);
      case 'hold':
        return this.emit({ type: 'CallHeld', at: this.nowMs, callId: event.call.id, agentId: event.call.agent!.agentId });
      case 'unhold':
        return this.emit({ type: 'CallRetrieved', at: this.nowMs, callId: event.call.id, agentId: event.call.agent!.agentId });
      case 'conference-start':
        return this.emit({ type: 'ConferenceStarted', at: this.nowMs, callId: event.call.id, agentId: event.call.agent!.agentId, party: event.party });
      case 'conference-end':
        return this.emit({ type: 'ConferenceEnded', at: this.nowMs, callId: event.call.id, agentId: event.call.agent!.agentId, party: event.party });
      case 'talk-end':
        return this.onTalkEnd(event.call);
      case 'consult-end':
        return this.onConsultEnd(event.call);
      case 'transferred-end':
        return this.onTransferredCallEnded(event.call);
      case 'timed-out-end':
        return this.emit({ type: 'TimedOutCallEnded', at: this.nowMs, callId: event.call.id, queue: event.call.queue.spec.name });
      case 'acw-end':
        return this.onAcwEnd(event.agent, event.call, event.contactId);
      default: {
        const _exhaustive: never = event;
        return _exhaustive;
      }
    }
  }

  // ───────────────────────────── callers ─────────────────────────────

  private onArrival(queueName: string, knownNumber: string | null, repeatOf: string | null): void {
    if (this.nowMs >= this.endMs) return;
    const callerNumber = knownNumber ?? this.newCallerNumber();
    const id = `call-${++this.callSeq}`;
    const call: Call = {
      id, callerNumber, visit: 0, contactId: '', queue: this.queues.get(queueName)!, status: 'waiting', queuedAt: 0, originalPosition: 0,
      visitToken: 0, ringToken: 0, ringingAgent: null, ringStartedAt: 0, agent: null, answeredAt: 0,
    };
    this.activeCalls++;
    this.emit({ type: 'CallArrived', at: this.nowMs, callId: id, callerNumber, repeatOfCallId: repeatOf, callerTier: tierOfCaller(callerNumber, this.scenario.callers.vipShare ?? 0, this.scenario.callers.tierValue) });
    this.enqueue(call, call.queue);
  }

  private newCallerNumber(): string {
    const index = Math.floor(this.rng.caller.next() * this.scenario.callers.population);
    return `555${String(index).padStart(7, '0')}`;
  }

  private enqueue(call: Call, queue: QueueState): void {
    call.visit++;
    call.contactId = `${call.id}-${call.visit}`;
    call.queue = queue;
    call.status = 'waiting';
    call.queuedAt = this.nowMs;
    call.agent = null;
    call.visitToken++;
    queue.waiting.push(call);
    call.originalPosition = queue.waiting.length;
    this.emit({ type: 'CallQueued', at: this.nowMs, callId: call.id, contactId: call.contactId, queue: queue.spec.name, position: queue.waiting.length, count: queue.waiting.length });
    const patienceMs = Math.max(0, sample(queue.spec.patience, this.rng.call)) * 1000;
    this.schedule(this.nowMs + patienceMs, { kind: 'patience', call, token: call.visitToken });
    const maxWait = queue.spec.maxWaitSeconds ?? 0;
    if (maxWait > 0 && maxWait * 1000 < patienceMs) this.schedule(this.nowMs + maxWait * 1000, { kind: 'queue-timeout', call, token: call.visitToken });
    this.offerCall(call);
  }

  private onCallerGivesUp(call: Call, token: number, reason: 'abandon' | 'timeout'): void {
    if (call.visitToken !== token || call.status === 'connected' || call.status === 'ended') return;
    if (call.status === 'ringing') this.endRing(call, 'canceled');
    const queue = call.queue;
    const position = queue.waiting.indexOf(call) + 1;
    this.leaveQueue(call);
    this.emit({
      type: 'CallLeftQueueUnanswered', at: this.nowMs, callId: call.id, contactId: call.contactId, queue: queue.spec.name, reason,
      position, originalPosition: call.originalPosition, waitMs: this.nowMs - call.queuedAt, countAfter: queue.waiting.length,
    });
    this.endCall(call);
    // The wire still sees the channel in the dial plan for a while; no randomness, so the rest of the run is unchanged.
    if (reason === 'timeout') this.schedule(this.nowMs + (queue.spec.afterTimeoutSeconds ?? 20) * 1000, { kind: 'timed-out-end', call });
    if (reason === 'abandon' && chance(this.scenario.callers.callBackAfterAbandonProbability, this.rng.caller)) this.scheduleCallBack(call);
  }

  private leaveQueue(call: Call): void {
    const index = call.queue.waiting.indexOf(call);
    if (index >= 0) call.queue.waiting.splice(index, 1);
    call.visitToken++;
  }

  private endCall(call: Call): void {
    call.status = 'ended';
    this.activeCalls--;
  }

  private scheduleCallBack(call: Call): void {
    const delayMs = Math.max(1, sample(this.scenario.callers.callBackDelay, this.rng.caller)) * 1000;
    this.schedule(this.nowMs + delayMs, { kind: 'arrival', queue: call.queue.spec.name, callerNumber: call.callerNumber, repeatOf: call.id });
  }

  // ───────────────────────────── routing ─────────────────────────────

  private offerCall(call: Call): void {
    if (this.routingMode === 'external') {
      const timeoutMs = this.scenario.routingDecisionTimeoutSeconds * 1000;
      this.schedule(this.nowMs + timeoutMs, { kind: 'routing-deadline', call, token: call.visitToken * 1000 + call.ringToken });
      return;
    }
    const agent = chooseAgent(call.queue.spec.strategy, call.queue.members, call.queue.spec.name, call.queue.rr, this.rng.routing);
    if (agent) this.startRinging(call, agent as Agent);
  }

  private onRoutingDeadline(call: Call, token: number): void {
    if (call.visitToken * 1000 + call.ringToken !== token || call.status !== 'waiting') return;
    this.emit({ type: 'RoutingDecisionMissed', at: this.nowMs, callId: call.id, contactId: call.contactId, queue: call.queue.spec.name });
  }

  /** An agent became free: give it the longest-waiting call among its queues (internal routing only). */
  private offerWork(agent: Agent): void {
    if (this.routingMode === 'external' || agent.status !== 'ready') return;
    let oldest: Call | null = null;
    for (const membership of agent.plan.queues) {
      const call = this.queues.get(membership.queue)!.waiting.find((c) => c.status === 'waiting');
      if (call && (!oldest || call.queuedAt < oldest.queuedAt)) oldest = call;
    }
    if (oldest) this.startRinging(oldest, agent);
  }

  private startRinging(call: Call, agent: Agent): void {
    call.status = 'ringing';
    call.ringingAgent = agent;
    call.ringStartedAt = this.nowMs;
    const token = ++call.ringToken;
    agent.status = 'ringing';
    agent.currentCall = call;
    this.emit({ type: 'AgentRingStarted', at: this.nowMs, callId: call.id, contactId: call.contactId, queue: call.queue.spec.name, agentId: agent.agentId });
    const ringTimeoutMs = call.queue.spec.ringTimeoutSeconds * 1000;
    const answersAfterMs = chance(agent.plan.group.ringNoAnswerProbability, this.rng.agent)
      ? Infinity
      : Math.max(0, sample(agent.plan.group.answerDelay, this.rng.agent)) * 1000;
    if (answersAfterMs < ringTimeoutMs) this.schedule(this.nowMs + answersAfterMs, { kind: 'agent-answers', call, token });
    else this.schedule(this.nowMs + ringTimeoutMs, { kind: 'ring-timeout', call, token });
  }

  private endRing(call: Call, result: 'no-answer' | 'canceled'): Agent {
    const agent = call.ringingAgent!;
    call.ringingAgent = null;
    call.ringToken++;
    agent.currentCall = null;
    this.emit({
      type: 'AgentRingEnded', at: this.nowMs, callId: call.id, contactId: call.contactId, queue: call.queue.spec.name,
      agentId: agent.agentId, result, ringMs: this.nowMs - call.ringStartedAt,
    });
    this.agentBecomesFree(agent);
    return agent;
  }

  private onRingTimeout(call: Call, token: number): void {
    if (call.ringToken !== token || call.status !== 'ringing') return;
    call.status = 'retry-wait';
    this.endRing(call, 'no-answer');
    this.schedule(this.nowMs + call.queue.spec.retrySeconds * 1000, { kind: 'retry', call, token: call.visitToken });
  }

  private onRetry(call: Call, token: number): void {
    if (call.visitToken !== token || call.status !== 'retry-wait') return;
    call.status = 'waiting';
    this.offerCall(call);
  }

  // ───────────────────────────── conversation ─────────────────────────────

  private onAgentAnswers(call: Call, token: number): void {
    if (call.ringToken !== token || call.status !== 'ringing') return;
    const agent = call.ringingAgent!;
    const queue = call.queue;
    const position = queue.waiting.indexOf(call) + 1;
    const ringMs = this.nowMs - call.ringStartedAt;
    call.ringingAgent = null;
    this.leaveQueue(call);
    call.status = 'connected';
    call.agent = agent;
    call.answeredAt = this.nowMs;
    agent.status = 'talking';
    agent.currentCall = call;
    agent.callsTaken++;
    this.emit({
      type: 'CallAnswered', at: this.nowMs, callId: call.id, contactId: call.contactId, queue: queue.spec.name, agentId: agent.agentId,
      waitMs: this.nowMs - call.queuedAt, ringMs, position, countAfter: queue.waiting.length,
    });
    this.planConversation(call);
  }

  /** Talk time excludes holds: holds are inserted at uniform points of the talk, a conference sits in the last stretch. */
  private planConversation(call: Call): void {
    const spec = call.queue.spec;
    const rng = this.rng.call;
    const talkMs = Math.max(1, sample(spec.talk, rng)) * 1000;
    const holdCount = Math.max(0, Math.round(sample(spec.holdCount, rng)));
    const holdPoints = Array.from({ length: holdCount }, () => rng.next() * talkMs).sort((a, b) => a - b);
    let held = 0;
    for (const point of holdPoints) {
      const holdMs = Math.max(1, sample(spec.holdDuration, rng)) * 1000;
      this.schedule(this.nowMs + point + held, { kind: 'hold', call });
      this.schedule(this.nowMs + point + held + holdMs, { kind: 'unhold', call });
      held += holdMs;
    }
    const endAt = this.nowMs + talkMs + held;
    if (spec.conference && chance(spec.conference.probability, rng)) {
      const lastHoldEnd = this.nowMs + (holdPoints[holdPoints.length - 1] ?? 0) + held;
      const start = lastHoldEnd + (endAt - lastHoldEnd) * 0.2;
      const end = Math.min(endAt - 1, start + sample(spec.conference.duration, rng) * 1000);
      if (end > start) {
        this.schedule(start, { kind: 'conference-start', call, party: spec.conference.party });
        this.schedule(end, { kind: 'conference-end', call, party: spec.conference.party });
      }
    }
    this.schedule(endAt, { kind: 'talk-end', call });
  }

  private onTalkEnd(call: Call): void {
    const spec = call.queue.spec;
    const agent = call.agent!;
    const roll = this.rng.call.next();
    const blind = spec.blindTransfer?.probability ?? 0;
    const attended = spec.attendedTransfer?.probability ?? 0;
    if (spec.blindTransfer && roll < blind) return this.transferBlind(call, agent, spec.blindTransfer.target);
    if (spec.attendedTransfer && roll < blind + attended) {
      this.emit({ type: 'CallHeld', at: this.nowMs, callId: call.id, agentId: agent.agentId });
      this.emit({ type: 'ConsultStarted', at: this.nowMs, callId: call.id, agentId: agent.agentId, target: spec.attendedTransfer.target });
      this.schedule(this.nowMs + Math.max(1, sample(spec.attendedTransfer.consult, this.rng.call)) * 1000, { kind: 'consult-end', call });
      return;
    }
    const releasedBy = chance(spec.agentHangupProbability, this.rng.call) ? 'agent' : 'caller';
    const resolved = !chance(this.scenario.callers.unresolvedProbability, this.rng.caller);
    this.emit({
      type: 'CallCompleted', at: this.nowMs, callId: call.id, contactId: call.contactId, queue: spec.name, agentId: agent.agentId,
      releasedBy, waitMs: call.answeredAt - call.queuedAt, talkMs: this.nowMs - call.answeredAt, resolved,
    });
    this.endCall(call);
    this.startAfterCallWork(agent, call);
    if (!resolved && chance(this.scenario.callers.callBackAfterUnresolvedProbability, this.rng.caller)) this.scheduleCallBack(call);
  }

  private transferBlind(call: Call, agent: Agent, targetQueue: string): void {
    this.emitTransfer(call, agent, 'blind', targetQueue);
    this.startAfterCallWork(agent, call);
    this.enqueue(call, this.queues.get(targetQueue)!);
  }

  private onConsultEnd(call: Call): void {
    const agent = call.agent!;
    const target = call.queue.spec.attendedTransfer!.target;
    this.emit({ type: 'CallRetrieved', at: this.nowMs, callId: call.id, agentId: agent.agentId });
    this.emitTransfer(call, agent, 'attended', target);
    this.startAfterCallWork(agent, call);
    this.schedule(this.nowMs + Math.max(1, sample(call.queue.spec.talk, this.rng.call)) * 1000, { kind: 'transferred-end', call });
  }

  private emitTransfer(call: Call, agent: Agent, kind: 'blind' | 'attended', target: string): void {
    this.emit({
      type: 'CallTransferred', at: this.nowMs, callId: call.id, contactId: call.contactId, queue: call.queue.spec.name,
      agentId: agent.agentId, kind, target, waitMs: call.answeredAt - call.queuedAt, talkMs: this.nowMs - call.answeredAt,
    });
  }

  private onTransferredCallEnded(call: Call): void {
    this.emit({ type: 'TransferredCallEnded', at: this.nowMs, callId: call.id, target: call.queue.spec.attendedTransfer!.target });
    this.endCall(call);
  }

  private startAfterCallWork(agent: Agent, call: Call): void {
    agent.status = 'acw';
    agent.currentCall = null;
    agent.lastCallEndAt = this.nowMs;
    this.agentsInAcw++;
    this.emit({ type: 'AfterCallWorkStarted', at: this.nowMs, agentId: agent.agentId, callId: call.id, contactId: call.contactId });
    const acwMs = Math.max(0, sample(call.queue.spec.afterCallWork, this.rng.call)) * 1000;
    this.schedule(this.nowMs + acwMs, { kind: 'acw-end', agent, call, contactId: call.contactId });
  }

  private onAcwEnd(agent: Agent, call: Call, contactId: string): void {
    this.agentsInAcw--;
    this.emit({ type: 'AfterCallWorkEnded', at: this.nowMs, agentId: agent.agentId, callId: call.id, contactId });
    this.agentBecomesFree(agent);
  }

  // ───────────────────────────── agents ─────────────────────────────

  private onLogin(agent: Agent): void {
    if (agent.status !== 'logged-out' || this.nowMs >= agent.plan.logoutAtMs) return;
    agent.status = 'ready';
    agent.lastCallEndAt = this.nowMs;
    this.emit({ type: 'AgentLoggedIn', at: this.nowMs, agentId: agent.agentId, queues: agent.plan.queues });
    this.scheduleUnplannedNotReady(agent);
    this.offerWork(agent);
  }

  private scheduleUnplannedNotReady(agent: Agent): void {
    const perHour = agent.plan.group.unplannedNotReady.perHour;
    if (perHour <= 0) return;
    this.schedule(this.nowMs + (-Math.log(1 - this.rng.agent.next()) * 3_600_000) / perHour, { kind: 'unplanned', agent });
  }

  private onUnplannedNotReady(agent: Agent): void {
    if (agent.status === 'logged-out') return;
    const reasons = agent.plan.group.unplannedNotReady.reasons;
    const index = sample({ kind: 'discrete', values: reasons.map((_, i) => i), weights: reasons.map((r) => r.weight) }, this.rng.agent);
    const chosen = reasons[index];
    if (chosen && !agent.pending.some((p) => p.kind === 'pause') && agent.status !== 'not-ready') {
      this.requestAgentAction(agent, { kind: 'pause', reason: chosen.reason, minutes: Math.max(0.1, sample(chosen.minutes, this.rng.agent)) });
    }
    this.scheduleUnplannedNotReady(agent);
  }

  /** Pauses and log-offs wait until the agent is off the phone and out of after-call work, as a real agent would. */
  private requestAgentAction(agent: Agent, action: PendingAction): void {
    if (agent.status === 'logged-out') return;
    if (action.kind === 'logout' && agent.status === 'not-ready') return this.logout(agent, action.early);
    if (agent.status !== 'ready') {
      agent.pending.push(action);
      return;
    }
    this.perform(agent, action);
  }

  private perform(agent: Agent, action: PendingAction): void {
    if (action.kind === 'logout') return this.logout(agent, action.early);
    agent.status = 'not-ready';
    const token = ++agent.pauseToken;
    this.emit({ type: 'AgentPaused', at: this.nowMs, agentId: agent.agentId, reason: action.reason });
    this.schedule(this.nowMs + action.minutes * 60_000, { kind: 'unpause', agent, token });
  }

  private onUnpause(agent: Agent, token: number): void {
    if (agent.pauseToken !== token || agent.status !== 'not-ready') return;
    this.emit({ type: 'AgentUnpaused', at: this.nowMs, agentId: agent.agentId, reason: '' });
    agent.status = 'ready';
    this.agentBecomesFree(agent);
  }

  private logout(agent: Agent, early: boolean): void {
    agent.status = 'logged-out';
    agent.pending = [];
    agent.pauseToken++;
    this.emit({ type: 'AgentLoggedOut', at: this.nowMs, agentId: agent.agentId, early });
  }

  private agentBecomesFree(agent: Agent): void {
    agent.status = 'ready';
    const next = agent.pending.shift();
    if (next) return this.perform(agent, next);
    this.offerWork(agent);
  }
}

/**
 * Whether the dial plan tags this caller `vip`: a hash of the number against the share, so the tier is a property of
 * the caller (repeat calls keep it) and drawing it takes nothing from the seeded streams (other runs stay identical).
 */
export function tierOfCaller(callerNumber: string, vipShare: number, tier = 'vip'): string | null {
  if (!(vipShare > 0)) return null;
  let h = 0x811c9dc5;
  for (let i = 0; i < callerNumber.length; i++) h = Math.imul(h ^ callerNumber.charCodeAt(i), 0x01000193);
  return (h >>> 0) / 0x1_0000_0000 < vipShare ? tier : null;
}
