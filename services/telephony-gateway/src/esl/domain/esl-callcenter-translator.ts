import { CALLER_TIER_VARIABLE, callerTierOf } from '../../call-tracking/domain/caller-tier';
import type { StoppedRecording } from '../../call-tracking/domain/stopped-recording';
import type { VendorEvent } from '../../call-tracking/domain/vendor-events';
import { headerOf, knownHeaderOf, type AgentListRow, type EslEvent, type TierListRow } from './esl-frame';

/** `Event-Date-Timestamp` is microseconds since the epoch; events without it take the receive time. */
export function eslTimeMs(e: EslEvent, receivedAtMs: number): number {
  const us = Number(headerOf(e, 'Event-Date-Timestamp'));
  return Number.isFinite(us) && us > 0 ? Math.round(us / 1000) : receivedAtMs;
}

/** mod_callcenter names agents and queues `<name>@<domain>`; the platform's ids are the names. */
export const withoutDomain = (name: string): string => name.split('@')[0] || name;

const secondsOf = (e: EslEvent, key: string): number | undefined => {
  const n = Number(knownHeaderOf(e, key));
  return Number.isFinite(n) && n > 0 ? n : undefined;
};

interface CallBase { at: number; callKey: string; queue: string }
interface AgentCallBase extends CallBase { agentId: string; extension: string }

// Each queue visit is its own member (CC-Member-UUID); the session UUID is reused when a call re-enters a queue
// after a transfer, and the ESL callcenter events give no way to tell that transfer from a release.
function callBase(e: EslEvent, at: number): CallBase | undefined {
  const callKey = knownHeaderOf(e, 'CC-Member-UUID');
  return callKey === undefined ? undefined : { at, callKey, queue: withoutDomain(headerOf(e, 'CC-Queue') ?? '') };
}

function agentCallBase(e: EslEvent, at: number): AgentCallBase | undefined {
  const base = callBase(e, at);
  const agent = knownHeaderOf(e, 'CC-Agent');
  return base === undefined || agent === undefined ? undefined : { ...base, agentId: withoutDomain(agent), extension: agent };
}

const onAgentCall = (build: (e: EslEvent, b: AgentCallBase) => VendorEvent | undefined) => (e: EslEvent, at: number): VendorEvent[] => {
  const b = agentCallBase(e, at);
  const out = b === undefined ? undefined : build(e, b);
  return out === undefined ? [] : [out];
};

// The ring ended because the caller left or another agent won (ring-all): not the agent's no-answer.
const NOT_AGENT_FAULT = new Set(['ORIGINATOR_CANCEL', 'LOSE_RACE', 'PICKED_OFF']);

const QUEUE_TIMEOUTS = new Set(['TIMEOUT', 'NO_AGENT_TIMEOUT']);

const CALL_ACTIONS: Record<string, (e: EslEvent, at: number) => VendorEvent[]> = {
  'member-queue-start': (e, at) => joined(e, at),
  'member-queue-resume': (e, at) => joined(e, at),
  'agent-offering': onAgentCall((_e, b) => ({ type: 'AgentOffered', ...b })),
  'bridge-agent-fail': onAgentCall((e, b) => {
    if (NOT_AGENT_FAULT.has(headerOf(e, 'CC-Hangup-Cause') ?? '')) return undefined;
    const called = secondsOf(e, 'CC-Agent-Called-Time');
    const aborted = secondsOf(e, 'CC-Agent-Aborted-Time');
    return { type: 'AgentRangNoAnswer', ...b, ringMs: called !== undefined && aborted !== undefined ? Math.max(0, aborted - called) * 1000 : 0 };
  }),
  'bridge-agent-start': onAgentCall((e, b) => {
    const called = secondsOf(e, 'CC-Agent-Called-Time');
    const answered = secondsOf(e, 'CC-Agent-Answered-Time');
    return { type: 'AgentAnswered', ...b, ringSeconds: called !== undefined && answered !== undefined ? Math.max(0, answered - called) : 0 };
  }),
  // CC-Hangup-Cause is the agent leg's cause; it does not say which side hung up, so the release is `system`, with
  // the cause kept to tell a normal clearing from a call the network dropped.
  'bridge-agent-end': onAgentCall((e, b) => {
    const hangupCause = knownHeaderOf(e, 'CC-Hangup-Cause');
    return { type: 'AgentCallCompleted', ...b, reason: 'other', ...(hangupCause === undefined ? {} : { hangupCause }) };
  }),
  // Cancel: the caller left unanswered. TIMEOUT / NO_AGENT_TIMEOUT: the queue gave up (max-wait-time, no agent in
  // time) and the dial plan goes on; anything else (NONE: the caller hung up, BREAK_OUT, EXIT_WITH_KEY) is the caller's.
  'member-queue-end': (e, at) => {
    const b = callBase(e, at);
    if (b === undefined || headerOf(e, 'CC-Cause') !== 'Cancel') return [];
    const queueGaveUp = QUEUE_TIMEOUTS.has(headerOf(e, 'CC-Cancel-Reason') ?? '');
    return [queueGaveUp ? { type: 'QueueTimedOut', ...b, position: 1, originalPosition: 1 } : { type: 'CallerAbandonedQueue', ...b, position: 1, originalPosition: 1, final: true }];
  },
};

function joined(e: EslEvent, at: number): VendorEvent[] {
  const b = callBase(e, at);
  if (b === undefined) return [];
  const callerTier = callerTierOf(knownHeaderOf(e, `variable_${CALLER_TIER_VARIABLE}`));
  return [{
    type: 'CallerJoinedQueue', ...b, position: 1, count: 1,
    callerNumber: knownHeaderOf(e, 'CC-Member-CID-Number') ?? null, dialedNumber: knownHeaderOf(e, 'CC-Member-DNIS') ?? null,
    channel: knownHeaderOf(e, 'CC-Member-Session-UUID'), ...(callerTier === undefined ? {} : { callerTier }),
  }];
}

interface AgentView { status: string; state: string; effective: string | null }

const MAX_SESSIONS = 20_000;

/** Status and state combined as the neutral trackers see them: logged out, ready, or paused with a reason. */
function effectiveOf(v: AgentView): string | null {
  if (v.status === 'Logged Out') return 'out';
  if (v.status === 'On Break') return 'pause:On Break';
  if (!v.status.startsWith('Available')) return null;
  return v.state === 'Idle' ? 'pause:after-call-work' : 'ready';
}

/**
 * mod_callcenter `CUSTOM callcenter::info` events → vendor-neutral events. Pure, but remembers each agent's status
 * and state: FreeSWITCH reports them separately (status: logged out / available / on break; state: waiting / idle
 * (after-call work) / in a queue call), the trackers want one "paused or not". Rebuilt by `resync` after a connect.
 */
export class EslCallCenterTranslator {
  private readonly agents = new Map<string, AgentView>();
  /** Caller session UUID → its current queue visit (CC-Member-UUID), to put a recording of the session on the call. */
  private readonly visitOfSession = new Map<string, string>();

  translate(e: EslEvent, receivedAtMs: number): VendorEvent[] {
    if (headerOf(e, 'Event-Name') === 'RECORD_STOP') return this.recordStopped(e, receivedAtMs);
    if (headerOf(e, 'Event-Subclass') !== 'callcenter::info') return [];
    const at = eslTimeMs(e, receivedAtMs);
    const action = headerOf(e, 'CC-Action') ?? '';
    if (action === 'member-queue-start' || action === 'member-queue-resume') this.noteVisit(e);
    const agent = knownHeaderOf(e, 'CC-Agent');
    if (action === 'agent-status-change' && agent !== undefined) return this.agentChanged(agent, { status: headerOf(e, 'CC-Agent-Status') ?? '' }, at);
    if (action === 'agent-state-change' && agent !== undefined) return this.agentChanged(agent, { state: headerOf(e, 'CC-Agent-State') ?? '' }, at);
    return CALL_ACTIONS[action]?.(e, at) ?? [];
  }

  /**
   * A RECORD_STOP (record_session on the caller's or the agent's leg) → the recording to inspect. The call is the
   * leg's `cc_member_uuid` (mod_callcenter sets it on both legs), else the queue visit the session last joined.
   */
  stoppedRecording(e: EslEvent, receivedAtMs: number): StoppedRecording | undefined {
    if (headerOf(e, 'Event-Name') !== 'RECORD_STOP') return undefined;
    const channel = knownHeaderOf(e, 'Unique-ID');
    const callKey = knownHeaderOf(e, 'variable_cc_member_uuid') ?? (channel === undefined ? undefined : this.visitOfSession.get(channel));
    if (channel === undefined || callKey === undefined) return undefined;
    const ms = Number(knownHeaderOf(e, 'variable_record_ms'));
    const seconds = Number(knownHeaderOf(e, 'variable_record_seconds'));
    const reportedSeconds = Number.isFinite(ms) && ms >= 0 ? ms / 1000 : Number.isFinite(seconds) && seconds >= 0 ? seconds : null;
    return { callKey, channel, file: knownHeaderOf(e, 'Record-File-Path') ?? null, at: eslTimeMs(e, receivedAtMs), reportedSeconds };
  }

  private recordStopped(e: EslEvent, receivedAtMs: number): VendorEvent[] {
    const r = this.stoppedRecording(e, receivedAtMs);
    return r === undefined ? [] : [{ type: 'RecordingStopped', at: r.at, callKey: r.callKey, channel: r.channel, file: r.file, reportedSeconds: r.reportedSeconds }];
  }

  private noteVisit(e: EslEvent): void {
    const session = knownHeaderOf(e, 'CC-Member-Session-UUID');
    const visit = knownHeaderOf(e, 'CC-Member-UUID');
    if (session === undefined || visit === undefined) return;
    this.visitOfSession.delete(session);
    this.visitOfSession.set(session, visit);
    // Sessions never recorded are not told apart from live ones: the oldest are dropped past a bound.
    if (this.visitOfSession.size > MAX_SESSIONS) this.visitOfSession.delete(this.visitOfSession.keys().next().value as string);
  }

  /**
   * Rows of `callcenter_config tier list`: each logged-in agent's queues, as memberships (paused as the agent is). A
   * tier of an agent logged out is no membership (mod_callcenter keeps tiers across log-outs). Read after the agent
   * list; the trackers drop memberships they already know.
   */
  resyncTiers(rows: readonly TierListRow[], at: number): VendorEvent[] {
    return rows.flatMap((r): VendorEvent[] => {
      const effective = this.agents.get(r.agent)?.effective ?? null;
      if (effective === null || effective === 'out') return [];
      const reason = effective.startsWith('pause:') ? effective.slice('pause:'.length) : '';
      return [{ type: 'MemberAdded', at, agentId: withoutDomain(r.agent), extension: r.agent, queue: withoutDomain(r.queue), paused: reason !== '', reason }];
    });
  }

  /** Rows of `callcenter_config agent list`; the trackers drop what they already know. */
  resync(rows: readonly AgentListRow[], at: number): VendorEvent[] {
    return rows.flatMap((r) => this.agentChanged(r.name, { status: r.status, state: r.state }, at));
  }

  private agentChanged(name: string, change: Partial<AgentView>, at: number): VendorEvent[] {
    const view = { ...(this.agents.get(name) ?? { status: '', state: '', effective: null }), ...change };
    const effective = effectiveOf(view);
    const previous = view.effective;
    this.agents.set(name, { ...view, effective: effective ?? previous });
    if (effective === null || effective === previous) return [];
    const base = { at, agentId: withoutDomain(name), extension: name, queue: '' };
    if (effective === 'out') return [{ type: 'MemberRemoved', ...base }];
    const reason = effective.startsWith('pause:') ? effective.slice('pause:'.length) : '';
    return [{ type: 'MemberPauseChanged', ...base, paused: reason !== '', reason }];
  }
}
