import { AgentLoggedIn, AgentLoggedOut, AgentQueueMembershipChanged, AgentRingNoAnswer, AgentStateChanged } from '@switchboard/contracts';
import { decided, secondsBetween, type Decided, type DecisionContext } from './canonical';
import { isAfterCallWork, notReadyReasonOf, type AgentSession, type AgentStatus, type LoggedInAgent } from './agent.state';
import type { AgentCallCompleted, AgentVendorEvent, MemberAdded, MemberPauseChanged, MemberRemoved, WrapUpEnded } from './vendor-events';

export interface AgentTransition {
  readonly state: AgentSession;
  readonly events: readonly Decided[];
  /** Facts for other state machines (the call whose after-call work ended). */
  readonly followUps: readonly WrapUpEnded[];
}

/**
 * How long (PBX time) after a call ends a pause still decides what the agent does next. The simulator and
 * mod_callcenter report the after-call-work pause in the same instant as the call's end; an Asterisk dial-plan
 * hang-up handler or CTI client pauses a few milliseconds later.
 */
export const POST_CALL_PAUSE_WINDOW_MS = 1000;

type CompletingAgent = LoggedInAgent & { readonly completing: { readonly atMs: number } };

const same = (a: AgentStatus, b: AgentStatus) => JSON.stringify(a) === JSON.stringify(b);
const callIdOf = (ctx: DecisionContext, callKey: string) => `${ctx.pbxLinkId}:${callKey}`;

export const isCompleting = (s: AgentSession): s is CompletingAgent => s.status === 'logged-in' && s.completing != null;

/**
 * Agent session and state machine: (session, vendor event, ctx) → new session + canonical agent events. The end of a
 * call is decided one fact late: a pause reported right after it takes the agent from on-call straight into that
 * pause (wrap-up for after-call work), anything else first returns the agent to ready (or their earlier pause).
 */
export function transitionAgent(state: AgentSession, e: AgentVendorEvent, ctx: DecisionContext): AgentTransition {
  if (!isCompleting(state)) return decide(state, e, ctx);
  if (e.type === 'MemberPauseChanged' && e.at - state.completing.atMs <= POST_CALL_PAUSE_WINDOW_MS) return pausedAfterCall(state, e, ctx);
  const settled = settleCompletion(state);
  const next = decide(settled.state, e, ctx);
  return { state: next.state, events: [...settled.events, ...next.events], followUps: next.followUps };
}

/** No pause followed the call's end in time: the agent's state after the call starts when the call ended. */
export function settleCompletion(s: CompletingAgent): AgentTransition {
  return moveTo({ ...s, completing: null }, [], afterCall(s), s.completing.atMs);
}

function decide(state: AgentSession, e: AgentVendorEvent, ctx: DecisionContext): AgentTransition {
  if (e.type === 'MemberRemoved') return removed(state, e, ctx);
  const { session, events } = ensureLoggedIn(state, e, ctx);
  switch (e.type) {
    case 'MemberAdded':
    case 'MemberPauseChanged':
      return paused(session, events, e);
    case 'AgentRangNoAnswer': {
      const fingerprint = `${e.callKey}@${e.at}`;
      if (session.lastRna === fingerprint) return done(session, events);
      const rna = decided(AgentRingNoAnswer, e.agentId, session.sequence + 1, e.at, {
        agentId: e.agentId, extension: session.extension, callId: callIdOf(ctx, e.callKey), queueId: e.queue, ringDurationMs: Math.max(0, Math.round(e.ringMs)),
      });
      return done({ ...session, sequence: rna.sequence, lastRna: fingerprint }, [...events, rna]);
    }
    case 'AgentAnswered':
      return moveTo({ ...session, lastCallKey: e.callKey, lastCallId: callIdOf(ctx, e.callKey) }, events, { status: 'on-call', callId: callIdOf(ctx, e.callKey) }, e.at);
    case 'AgentCallCompleted':
      return callCompleted(session, events, e);
  }
}

/** A fact naming a queue the logged-in agent was not known in is a queue joined now (routing learns it here). */
function ensureLoggedIn(state: AgentSession, e: Exclude<AgentVendorEvent, MemberRemoved>, ctx: DecisionContext): { session: LoggedInAgent; events: Decided[] } {
  if (state.status === 'logged-in') {
    if (e.queue === '' || state.queues.includes(e.queue)) return { session: state, events: [] };
    const change = membershipChanged(state, [...state.queues, e.queue], [e.queue], [], e.at, ctx);
    return { session: { ...state, queues: change.data.queueIds, sequence: change.sequence }, events: [change] };
  }
  const queues = e.queue === '' ? [] : [e.queue];
  const login = decided(AgentLoggedIn, e.agentId, state.sequence + 1, e.at, { agentId: e.agentId, extension: e.extension, pbxLinkId: ctx.pbxLinkId, queueIds: queues });
  const session: LoggedInAgent = {
    status: 'logged-in', agentId: e.agentId, extension: e.extension, sequence: login.sequence, queues, loginAtMs: e.at,
    current: { status: 'ready' }, sinceMs: e.at, pause: null, lastCallKey: null, lastCallId: null, lastRna: null, completing: null,
  };
  return { session, events: [login] };
}

function membershipChanged(s: LoggedInAgent, queueIds: string[], added: string[], removed: string[], at: number, ctx: DecisionContext) {
  return decided(AgentQueueMembershipChanged, s.agentId, s.sequence + 1, at, { agentId: s.agentId, extension: s.extension, pbxLinkId: ctx.pbxLinkId, queueIds, added, removed });
}

function paused(s: LoggedInAgent, events: Decided[], e: MemberAdded | MemberPauseChanged): AgentTransition {
  const pause = e.paused ? { reason: e.reason } : null;
  const next = { ...s, pause };
  if (s.current.status === 'on-call') return done(next, events); // the pause applies when the call ends
  if (!e.paused) {
    const wrapUp = s.current.status === 'wrap-up' && s.lastCallKey !== null
      ? [{ type: 'WrapUpEnded' as const, at: e.at, callKey: s.lastCallKey, agentId: s.agentId, acwMs: e.at - s.sinceMs }] : [];
    return { ...moveTo(next, events, { status: 'ready' }, e.at), followUps: wrapUp };
  }
  if (isAfterCallWork(e.reason) && s.lastCallId !== null && s.current.status === 'ready') {
    return moveTo(next, events, { status: 'wrap-up', callId: s.lastCallId }, e.at);
  }
  if (s.current.status === 'wrap-up') return done(next, events);
  return moveTo(next, events, { status: 'not-ready', reason: notReadyReasonOf(e.reason) }, e.at);
}

/** The call ended; the next fact tells what follows (see transitionAgent). */
function callCompleted(s: LoggedInAgent, events: Decided[], e: AgentCallCompleted): AgentTransition {
  if (s.current.status !== 'on-call') return done(s, events);
  return done({ ...s, completing: { atMs: e.at } }, events);
}

/** The pause that followed the call's end is where the agent went when the call ended. */
function pausedAfterCall(s: CompletingAgent, e: MemberPauseChanged, ctx: DecisionContext): AgentTransition {
  const pause = e.paused ? { reason: e.reason } : null;
  const moved = moveTo({ ...s, pause, completing: null }, [], afterCall({ ...s, pause }), s.completing.atMs);
  const joined = ensureLoggedIn(moved.state as LoggedInAgent, e, ctx);
  return done(joined.session, [...moved.events, ...joined.events]);
}

/** After a call: ready, or the pause the agent is in (after-call work is the wrap-up of that call). */
function afterCall(s: LoggedInAgent): AgentStatus {
  if (s.pause === null) return { status: 'ready' };
  return isAfterCallWork(s.pause.reason) && s.lastCallId !== null
    ? { status: 'wrap-up', callId: s.lastCallId } : { status: 'not-ready', reason: notReadyReasonOf(s.pause.reason) };
}

function removed(state: AgentSession, e: MemberRemoved, ctx: DecisionContext): AgentTransition {
  const everyQueue = e.queue === '';
  if (state.status !== 'logged-in' || (!everyQueue && !state.queues.includes(e.queue))) return done(state, []);
  const queues = everyQueue ? [] : state.queues.filter((q) => q !== e.queue);
  if (queues.length > 0) {
    const change = membershipChanged(state, queues, [], [e.queue], e.at, ctx);
    return done({ ...state, queues, sequence: change.sequence }, [change]);
  }
  const out = decided(AgentLoggedOut, state.agentId, state.sequence + 1, e.at, {
    agentId: state.agentId, extension: state.extension, loggedOutBy: 'agent', sessionSeconds: secondsBetween(state.loginAtMs, e.at),
  });
  return done({ status: 'logged-out', sequence: out.sequence }, [out]);
}

function moveTo(s: LoggedInAgent, events: Decided[], current: AgentStatus, at: number): AgentTransition {
  if (same(s.current, current)) return done(s, events);
  const change = decided(AgentStateChanged, s.agentId, s.sequence + 1, at, {
    agentId: s.agentId, extension: s.extension, previous: s.current, current, previousStateSeconds: secondsBetween(s.sinceMs, at),
  });
  return done({ ...s, sequence: change.sequence, current, sinceMs: at }, [...events, change]);
}

const done = (state: AgentSession, events: readonly Decided[]): AgentTransition => ({ state, events, followUps: [] });
