import type { SimFact } from './sim-facts';

/**
 * Ground truth: what really happened, one JSON object per line. A contact is one visit of a call to a queue (a blind
 * transfer to another queue starts a second contact of the same call). Times are epoch milliseconds of simulated
 * time, durations are milliseconds.
 */
export type GroundTruthRecord = RunRecord | ContactRecord | AgentIntervalRecord;

export interface RunRecord {
  readonly kind: 'run';
  readonly scenario: string;
  readonly seed: number;
  readonly routing: 'internal' | 'external';
  readonly startMs: number;
  readonly endMs: number;
  readonly ringCycleSeconds: number;
}

export type ContactOutcome = 'answered' | 'abandoned' | 'timeout';

export interface RingOffer {
  readonly agentId: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly result: 'answered' | 'no-answer' | 'canceled';
}

export interface ContactRecord {
  readonly kind: 'contact';
  readonly contactId: string;
  readonly callId: string;
  readonly callerNumber: string;
  /** SWITCHBOARD_CALLER_TIER as the dial plan set it (null: not tagged). */
  readonly callerTier: string | null;
  /** The earlier call of the same caller this one repeats (unresolved or abandoned), for first-call resolution. */
  readonly repeatOfCallId: string | null;
  readonly visit: number;
  readonly queue: string;
  readonly callArrivedAtMs: number;
  readonly queuedAtMs: number;
  readonly outcome: ContactOutcome;
  /** Queue entry until answer, abandon or timeout (includes ring time, like Asterisk HoldTime). */
  readonly waitMs: number;
  readonly answeredAtMs: number | null;
  readonly agentId: string | null;
  readonly offers: readonly RingOffer[];
  readonly ringMs: number | null;
  readonly ringCount: number | null;
  readonly holds: readonly { readonly startMs: number; readonly endMs: number }[];
  readonly holdMs: number;
  /** Connected time minus hold time. */
  readonly talkMs: number;
  readonly acwMs: number;
  readonly conversationEndedAtMs: number | null;
  readonly releasedBy: 'caller' | 'agent' | 'transfer' | 'system';
  readonly transfer: { readonly kind: 'blind' | 'attended'; readonly target: string } | null;
  readonly conferences: readonly { readonly party: string; readonly startMs: number; readonly endMs: number }[];
  readonly resolved: boolean | null;
  readonly routingDecisionMissed: boolean;
  /**
   * The recording of the answered contact when the run records calls: the file as the PBX named it in its events, the
   * SHA-256 of the final file and its length (answer to release or transfer). Null when not answered or not recorded.
   */
  readonly recording: RecordingTruth | null;
}

export interface RecordingTruth {
  readonly file: string;
  readonly sha256: string;
  readonly durationSeconds: number;
  /** The file was still being flushed when the stop event went out (its sizes patched a moment later). */
  readonly flushedLate: boolean;
}

export type AgentState = 'ready' | 'ringing' | 'talking' | 'acw' | 'not-ready';

export interface AgentIntervalRecord {
  readonly kind: 'agent-interval';
  readonly agentId: string;
  readonly state: AgentState;
  readonly reason: string | null;
  readonly startMs: number;
  readonly endMs: number;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] extends readonly (infer E)[] ? E[] : T[K] };
type OpenContact = Mutable<ContactRecord> & { holdStartMs: number | null; connectedMs: number; conferenceStartMs: number | null };

interface OpenAgentState {
  state: AgentState;
  reason: string | null;
  startMs: number;
}

/** Folds the fact stream into ground-truth records; records are emitted when they are complete. */
export class GroundTruthRecorder {
  private readonly contacts = new Map<string, OpenContact>();
  private readonly activeContactOfCall = new Map<string, OpenContact>();
  private readonly callInfo = new Map<string, { callerNumber: string; callerTier: string | null; repeatOf: string | null; arrivedAtMs: number }>();
  private readonly agents = new Map<string, OpenAgentState>();

  constructor(
    private readonly ringCycleSeconds: number,
    private readonly output: (record: GroundTruthRecord) => void,
  ) {}

  record(fact: SimFact): void {
    this.recordContact(fact);
    this.recordAgentState(fact);
  }

  /** Closes agent intervals still open when the run stops. */
  finish(atMs: number): void {
    for (const [agentId, open] of this.agents) this.closeAgentInterval(agentId, open, atMs);
    this.agents.clear();
  }

  private recordContact(fact: SimFact): void {
    switch (fact.type) {
      case 'CallArrived':
        this.callInfo.set(fact.callId, { callerNumber: fact.callerNumber, callerTier: fact.callerTier, repeatOf: fact.repeatOfCallId, arrivedAtMs: fact.at });
        return;
      case 'CallQueued':
        return this.openContact(fact.callId, fact.contactId, fact.queue, fact.at);
      case 'AgentRingEnded':
        this.contacts.get(fact.contactId)?.offers.push({ agentId: fact.agentId, startMs: fact.at - fact.ringMs, endMs: fact.at, result: fact.result });
        return;
      case 'RoutingDecisionMissed':
        this.withContact(fact.contactId, (c) => (c.routingDecisionMissed = true));
        return;
      case 'CallAnswered':
        return this.withContact(fact.contactId, (c) => this.answer(c, fact.agentId, fact.at, fact.ringMs));
      case 'CallLeftQueueUnanswered':
        return this.withContact(fact.contactId, (c) => {
          c.outcome = fact.reason === 'abandon' ? 'abandoned' : 'timeout';
          c.waitMs = fact.waitMs;
          c.releasedBy = fact.reason === 'abandon' ? 'caller' : 'system';
          this.closeContact(c);
        });
      case 'CallHeld':
        return this.withActiveContact(fact.callId, (c) => (c.holdStartMs = fact.at));
      case 'CallRetrieved':
        return this.withActiveContact(fact.callId, (c) => {
          if (c.holdStartMs !== null) c.holds.push({ startMs: c.holdStartMs, endMs: fact.at });
          c.holdStartMs = null;
        });
      case 'ConferenceStarted':
        return this.withActiveContact(fact.callId, (c) => (c.conferenceStartMs = fact.at));
      case 'ConferenceEnded':
        return this.withActiveContact(fact.callId, (c) => c.conferences.push({ party: fact.party, startMs: c.conferenceStartMs ?? fact.at, endMs: fact.at }));
      case 'CallTransferred':
        return this.withContact(fact.contactId, (c) => {
          this.endConversation(c, fact.at, 'transfer');
          c.transfer = { kind: fact.kind, target: fact.target };
        });
      case 'CallCompleted':
        return this.withContact(fact.contactId, (c) => {
          this.endConversation(c, fact.at, fact.releasedBy);
          c.resolved = fact.resolved;
        });
      case 'AfterCallWorkEnded':
        return this.withContact(fact.contactId, (c) => {
          c.acwMs = fact.at - (c.conversationEndedAtMs ?? fact.at);
          this.closeContact(c);
        });
      default:
        return;
    }
  }

  private openContact(callId: string, contactId: string, queue: string, at: number): void {
    const info = this.callInfo.get(callId) ?? { callerNumber: '', callerTier: null, repeatOf: null, arrivedAtMs: at };
    const contact: OpenContact = {
      kind: 'contact', contactId, callId, callerNumber: info.callerNumber, callerTier: info.callerTier, repeatOfCallId: info.repeatOf,
      visit: Number(contactId.slice(contactId.lastIndexOf('-') + 1)), queue, callArrivedAtMs: info.arrivedAtMs, queuedAtMs: at,
      outcome: 'abandoned', waitMs: 0, answeredAtMs: null, agentId: null, offers: [], ringMs: null, ringCount: null, holds: [],
      holdMs: 0, talkMs: 0, acwMs: 0, conversationEndedAtMs: null, releasedBy: 'caller', transfer: null, conferences: [],
      resolved: null, routingDecisionMissed: false, recording: null, holdStartMs: null, connectedMs: 0, conferenceStartMs: null,
    };
    this.contacts.set(contactId, contact);
    this.activeContactOfCall.set(callId, contact);
  }

  private answer(c: OpenContact, agentId: string, at: number, ringMs: number): void {
    c.outcome = 'answered';
    c.agentId = agentId;
    c.answeredAtMs = at;
    c.waitMs = at - c.queuedAtMs;
    c.ringMs = ringMs;
    c.ringCount = Math.max(1, Math.ceil(ringMs / (this.ringCycleSeconds * 1000)));
    c.offers.push({ agentId, startMs: at - ringMs, endMs: at, result: 'answered' });
  }

  private endConversation(c: OpenContact, at: number, releasedBy: OpenContact['releasedBy']): void {
    c.conversationEndedAtMs = at;
    c.releasedBy = releasedBy;
    c.holdMs = c.holds.reduce((sum, h) => sum + (h.endMs - h.startMs), 0);
    c.talkMs = at - (c.answeredAtMs ?? at) - c.holdMs;
  }

  private closeContact(c: OpenContact): void {
    this.contacts.delete(c.contactId);
    if (this.activeContactOfCall.get(c.callId) === c) this.activeContactOfCall.delete(c.callId);
    const { holdStartMs: _h, connectedMs: _c, conferenceStartMs: _f, ...record } = c;
    this.output(record);
  }

  private withContact(contactId: string, update: (c: OpenContact) => void): void {
    const contact = this.contacts.get(contactId);
    if (contact) update(contact);
  }

  private withActiveContact(callId: string, update: (c: OpenContact) => void): void {
    const contact = this.activeContactOfCall.get(callId);
    if (contact) update(contact);
  }

  private recordAgentState(fact: SimFact): void {
    switch (fact.type) {
      case 'AgentLoggedIn':
      case 'AgentUnpaused':
      case 'AfterCallWorkEnded':
        return this.enterAgentState(fact.agentId, 'ready', null, fact.at);
      case 'AgentRingEnded':
        return this.enterAgentState(fact.agentId, 'ready', null, fact.at);
      case 'AgentRingStarted':
        return this.enterAgentState(fact.agentId, 'ringing', null, fact.at);
      case 'CallAnswered':
        return this.enterAgentState(fact.agentId, 'talking', null, fact.at);
      case 'AfterCallWorkStarted':
        return this.enterAgentState(fact.agentId, 'acw', null, fact.at);
      case 'AgentPaused':
        return this.enterAgentState(fact.agentId, 'not-ready', fact.reason, fact.at);
      case 'AgentLoggedOut': {
        const open = this.agents.get(fact.agentId);
        if (open) this.closeAgentInterval(fact.agentId, open, fact.at);
        this.agents.delete(fact.agentId);
        return;
      }
      default:
        return;
    }
  }

  private enterAgentState(agentId: string, state: AgentState, reason: string | null, at: number): void {
    const open = this.agents.get(agentId);
    if (open) {
      if (open.state === state && open.reason === reason) return;
      this.closeAgentInterval(agentId, open, at);
    }
    this.agents.set(agentId, { state, reason, startMs: at });
  }

  private closeAgentInterval(agentId: string, open: OpenAgentState, at: number): void {
    if (at > open.startMs) this.output({ kind: 'agent-interval', agentId, state: open.state, reason: open.reason, startMs: open.startMs, endMs: at });
  }
}
