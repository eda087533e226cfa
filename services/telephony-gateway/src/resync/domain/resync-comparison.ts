import type { AgentSession } from '../../call-tracking/domain/agent.state';
import type { CallState } from '../../call-tracking/domain/call.state';
import type { VendorEvent } from '../../call-tracking/domain/vendor-events';

/** What the gateway tracks for one link (as persisted after the last committed batch). */
export interface TrackedState {
  readonly calls: ReadonlyMap<string, CallState>;
  readonly agents: ReadonlyMap<string, AgentSession>;
}

/** A queue member as the PBX lists it (AMI QueueStatus → QueueMember). */
export interface ListedMember { readonly agentId: string; readonly extension: string; readonly queue: string; readonly paused: boolean; readonly reason: string }
/** A caller waiting in a queue (QueueStatus → QueueEntry); `callKey` is the caller channel's Linkedid (or Uniqueid). */
export interface ListedWaitingCall {
  readonly callKey: string;
  readonly queue: string;
  readonly position: number;
  readonly count: number;
  readonly waitSeconds: number;
  readonly callerNumber: string | null;
  /** SWITCHBOARD_CALLER_TIER of the caller's channel (from the channel list), when set and valid. */
  readonly callerTier?: string;
  /** The channel's SWITCHBOARD_CALLER_TIER when set but not a tier the contract allows (counted, then ignored). */
  readonly invalidCallerTier?: string;
}
/** A live channel (CoreShowChannels → CoreShowChannel). */
export interface ListedChannel {
  readonly uniqueid: string;
  readonly callKey: string;
  readonly up: boolean;
  /** The member interface (`PJSIP/1002`) and agent behind a channel of an agent's device, else null. */
  readonly agent: { readonly agentId: string; readonly extension: string } | null;
}

export interface QueueListing { readonly members: readonly ListedMember[]; readonly waiting: readonly ListedWaitingCall[] }

/** Vendor events that bring the tracked state in line with the PBX, and which subjects they correct. */
export interface Corrections {
  readonly events: readonly VendorEvent[];
  readonly agents: readonly string[];
  readonly calls: readonly string[];
}

/**
 * Queue listing vs tracked agents and calls: members logged in, out of a queue, paused or unpaused while the
 * gateway was away, and callers who joined a queue then (their later answer or abandon needs the queued call).
 */
export function queueCorrections(tracked: TrackedState, listing: QueueListing, atMs: number): Corrections {
  const events: VendorEvent[] = [];
  const agents = new Set<string>();
  const listedByAgent = new Map<string, ListedMember[]>();
  for (const m of listing.members) listedByAgent.set(m.agentId, [...(listedByAgent.get(m.agentId) ?? []), m]);

  for (const [agentId, members] of listedByAgent) {
    const session = tracked.agents.get(agentId);
    const loggedIn = session?.status === 'logged-in' ? session : null;
    for (const m of members) {
      const base = { at: atMs, agentId, extension: m.extension, queue: m.queue };
      if (loggedIn === null || !loggedIn.queues.includes(m.queue)) {
        events.push({ type: 'MemberAdded', ...base, paused: m.paused, reason: m.reason });
        agents.add(agentId);
      }
    }
    // One pause per agent (the PBX pauses a member in every queue at once); compared after any login above.
    const listed = members[0];
    const trackedPause = loggedIn?.pause ?? null;
    if (loggedIn !== null && (listed.paused !== (trackedPause !== null) || (listed.paused && trackedPause?.reason !== listed.reason))) {
      events.push({ type: 'MemberPauseChanged', at: atMs, agentId, extension: listed.extension, queue: listed.queue, paused: listed.paused, reason: listed.reason });
      agents.add(agentId);
    }
  }
  for (const [agentId, session] of tracked.agents) {
    if (session.status !== 'logged-in') continue;
    const listedQueues = new Set((listedByAgent.get(agentId) ?? []).map((m) => m.queue));
    for (const queue of session.queues.filter((q) => !listedQueues.has(q))) {
      events.push({ type: 'MemberRemoved', at: atMs, agentId, extension: session.extension, queue });
      agents.add(agentId);
    }
  }

  const calls: string[] = [];
  for (const w of listing.waiting) {
    const state = tracked.calls.get(w.callKey);
    if (state !== undefined && state.status !== 'none') continue;
    events.push({
      type: 'CallerJoinedQueue', at: atMs - w.waitSeconds * 1000, callKey: w.callKey, queue: w.queue, position: w.position, count: w.count,
      callerNumber: w.callerNumber, dialedNumber: null, ...(w.callerTier === undefined ? {} : { callerTier: w.callerTier }),
    });
    calls.push(w.callKey);
  }
  return { events, agents: [...agents], calls };
}

/**
 * Live channels vs tracked calls, with the callers the queue listing showed waiting: a tracked call without a live
 * channel ended while the gateway was away (queued: closed as abandoned at `atMs`, the outcome the PBX can no
 * longer tell; connected: released by the system); a call tracked as queued that no longer waits but is bridged to
 * an agent's channel was answered while away.
 */
export function channelCorrections(tracked: TrackedState, channels: readonly ListedChannel[], waitingCallKeys: ReadonlySet<string>, atMs: number): Corrections {
  const live = new Map<string, ListedChannel[]>();
  for (const c of channels) live.set(c.callKey, [...(live.get(c.callKey) ?? []), c]);
  const events: VendorEvent[] = [];
  const calls: string[] = [];
  const agents = new Set<string>();
  for (const [callKey, state] of tracked.calls) {
    const legs = live.get(callKey);
    if (state.status === 'queued' && legs === undefined) {
      // The caller's channel is gone: it left the queue and hung up (an abandon, as far as the gateway can tell).
      events.push({ type: 'CallerAbandonedQueue', at: atMs, callKey, queue: state.queueId, position: Math.max(1, state.position), originalPosition: Math.max(1, state.position) });
      events.push({ type: 'ChannelHungUp', at: atMs, callKey, callerLeg: true });
      calls.push(callKey);
    } else if (state.status === 'queued' && !waitingCallKeys.has(callKey)) {
      const agent = legs!.find((c) => c.up && c.uniqueid !== callKey && c.agent !== null)?.agent;
      if (agent === undefined || agent === null) continue;
      events.push({ type: 'AgentAnswered', at: atMs, callKey, agentId: agent.agentId, extension: agent.extension, queue: state.queueId, ringSeconds: 0 });
      calls.push(callKey);
      agents.add(agent.agentId);
    } else if (state.status === 'connected' && legs === undefined) {
      events.push({ type: 'AgentCallCompleted', at: atMs, callKey, agentId: state.agentId, extension: state.extension, queue: state.queueId, reason: 'other', inferredByResync: true });
      events.push({ type: 'ChannelHungUp', at: atMs, callKey, callerLeg: true });
      calls.push(callKey);
      agents.add(state.agentId);
    }
  }
  return { events, agents: [...agents], calls };
}
