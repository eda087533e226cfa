import { AgentLoggedIn, AgentLoggedOut, AgentRingNoAnswer, AgentStateChanged } from '@switchboard/contracts';
import { decided, secondsBetween, type Decided, type DecisionContext } from './canonical';
import { isAfterCallWork, notReadyReasonOf, type AgentSession, type AgentStatus, type LoggedInAgent } from './agent.state';
import type { AgentCallCompleted, AgentVendorEvent, MemberAdded, MemberPauseChanged, MemberRemoved, WrapUpEnded } from './vendor-events';

export interface AgentTransition {
  readonly state: AgentSession;
  readonly events: readonly Decided[];
  /** Facts for other state machines (the call whose after-call work ended). */
  readonly followUps: readonly WrapUpEnded[];
}

const same = (a: AgentStatus, b: AgentStatus) => JSON.stringify(a) === JSON.stringify(b);
const callIdOf = (ctx: DecisionContext, callKey: string) => `${ctx.pbxLinkId}:${callKey}`;

/** Agent session and state machine: (session, vendor event, ctx) → new session + canonical agent events. */
export function transitionAgent(state: AgentSession, e: AgentVendorEvent, ctx: DecisionContext): AgentTransition {
  if (e.type === 'MemberRemoved') return removed(state, e);
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

function ensureLoggedIn(state: AgentSession, e: Exclude<AgentVendorEvent, MemberRemoved>, ctx: DecisionContext): { session: LoggedInAgent; events: Decided[] } {
  if (state.status === 'logged-in') {
    const queues = e.queue === '' || state.queues.includes(e.queue) ? state.queues : [...state.queues, e.queue];
    return { session: { ...state, queues }, events: [] };
  }
  const queues = e.queue === '' ? [] : [e.queue];
  const login = decided(AgentLoggedIn, e.agentId, state.sequence + 1, e.at, { agentId: e.agentId, extension: e.extension, pbxLinkId: ctx.pbxLinkId, queueIds: queues });
  const session: LoggedInAgent = {
    status: 'logged-in', agentId: e.agentId, extension: e.extension, sequence: login.sequence, queues, loginAtMs: e.at,
    current: { status: 'ready' }, sinceMs: e.at, pause: null, lastCallKey: null, lastCallId: null, lastRna: null,
  };
  return { session, events: [login] };
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

function callCompleted(s: LoggedInAgent, events: Decided[], e: AgentCallCompleted): AgentTransition {
  if (s.current.status !== 'on-call') return done(s, events);
  const after: AgentStatus = s.pause === null ? { status: 'ready' } : { status: 'not-ready', reason: notReadyReasonOf(s.pause.reason) };
  return moveTo(s, events, after, e.at);
}

function removed(state: AgentSession, e: MemberRemoved): AgentTransition {
  const everyQueue = e.queue === '';
  if (state.status !== 'logged-in' || (!everyQueue && !state.queues.includes(e.queue))) return done(state, []);
  const queues = everyQueue ? [] : state.queues.filter((q) => q !== e.queue);
  if (queues.length > 0) return done({ ...state, queues }, []);
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
