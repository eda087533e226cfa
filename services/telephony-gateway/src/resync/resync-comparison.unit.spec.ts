import type { AgentSession, LoggedInAgent } from '../call-tracking/domain/agent.state';
import type { CallState } from '../call-tracking/domain/call.state';
import { listedChannel, QueueListingCollector } from './domain/ami-listing';
import { channelCorrections, queueCorrections, type TrackedState } from './domain/resync-comparison';

const AT = Date.parse('2025-03-03T10:30:00Z');

const agent = (agentId: string, queues: string[], pause: string | null = null): LoggedInAgent => ({
  status: 'logged-in', agentId, extension: `PJSIP/${agentId}`, sequence: 3, queues, loginAtMs: AT - 3_600_000,
  current: pause === null ? { status: 'ready' } : { status: 'not-ready', reason: 'break' }, sinceMs: AT - 60_000,
  pause: pause === null ? null : { reason: pause }, lastCallKey: null, lastCallId: null, lastRna: null,
});
const base = { sequence: 2, transfers: 0, queueVisits: 1, wrapUps: [], lastAgentId: null, recordings: [] };
const queued = (callId: string, queueId: string): CallState =>
  ({ ...base, status: 'queued', callId, queueId, queuedAtMs: AT - 30_000, position: 2, offers: 0, ringing: null, leaving: null }) as CallState;
const connected = (callId: string, agentId: string): CallState => ({
  ...base, status: 'connected', callId, queueId: 'support', agentId, extension: `PJSIP/${agentId}`, answeredAtMs: AT - 60_000,
  holdCount: 0, holdSinceMs: null, totalHoldMs: 0, firstHangup: null,
}) as CallState;
const tracked = (agents: [string, AgentSession][], calls: [string, CallState][] = []): TrackedState => ({ agents: new Map(agents), calls: new Map(calls) });

function listing(frames: [string, string][][]) {
  const c = new QueueListingCollector();
  frames.forEach((headers) => c.add({ headers }));
  return c.listing();
}
const member = (agentId: string, queue: string, paused = false, reason = ''): [string, string][] =>
  [['Event', 'QueueMember'], ['Queue', queue], ['Name', `PJSIP/${agentId}`], ['Location', `PJSIP/${agentId}`], ['Paused', paused ? '1' : '0'], ['PausedReason', reason]];

describe('queue listing vs tracked state', () => {
  it('should log out of a queue an agent the PBX no longer lists there, and log out one listed nowhere', () => {
    const c = queueCorrections(tracked([['1001', agent('1001', ['support', 'sales'])], ['1002', agent('1002', ['support'])]]),
      listing([member('1001', 'support')]), AT);
    expect(c.events).toEqual([
      { type: 'MemberRemoved', at: AT, agentId: '1001', extension: 'PJSIP/1001', queue: 'sales' },
      { type: 'MemberRemoved', at: AT, agentId: '1002', extension: 'PJSIP/1002', queue: 'support' },
    ]);
    expect([...c.agents].sort()).toEqual(['1001', '1002']);
  });

  it('should log in a member the gateway does not track, and apply a pause taken or ended while away', () => {
    const c = queueCorrections(tracked([['1001', agent('1001', ['support'])], ['1002', agent('1002', ['support'], 'Break')]]),
      listing([member('1001', 'support', true, 'Lunch'), member('1002', 'support'), member('1003', 'support', true, 'Meeting')]), AT);
    expect(c.events).toEqual([
      { type: 'MemberPauseChanged', at: AT, agentId: '1001', extension: 'PJSIP/1001', queue: 'support', paused: true, reason: 'Lunch' },
      { type: 'MemberPauseChanged', at: AT, agentId: '1002', extension: 'PJSIP/1002', queue: 'support', paused: false, reason: '' },
      { type: 'MemberAdded', at: AT, agentId: '1003', extension: 'PJSIP/1003', queue: 'support', paused: true, reason: 'Meeting' },
    ]);
  });

  it('should correct nothing when the PBX lists what the gateway tracks', () => {
    const c = queueCorrections(tracked([['1001', agent('1001', ['support'], 'Break')]], [['c1', queued('l:c1', 'support')]]),
      listing([member('1001', 'support', true, 'Break'), [['Event', 'QueueEntry'], ['Queue', 'support'], ['Uniqueid', 'c1'], ['Wait', '30']]]), AT);
    expect(c).toEqual({ events: [], agents: [], calls: [] });
  });

  it('should queue a waiting caller who joined while the gateway was away, at the time the PBX says it waited from', () => {
    const c = queueCorrections(tracked([]), listing([
      [['Event', 'QueueParams'], ['Queue', 'sales'], ['Calls', '2']],
      [['Event', 'QueueEntry'], ['Queue', 'sales'], ['Position', '2'], ['Uniqueid', '1741.7'], ['CallerIDNum', '13800000000'], ['Wait', '42']],
      [['Event', 'QueueEntry'], ['Queue', 'sales'], ['Position', '1'], ['Uniqueid', '1741.3'], ['CallerIDNum', '<unknown>'], ['Wait', '50']],
    ]), AT);
    expect(c.events).toEqual([
      { type: 'CallerJoinedQueue', at: AT - 42_000, callKey: '1741.7', queue: 'sales', position: 2, count: 2, callerNumber: '13800000000', dialedNumber: null },
      { type: 'CallerJoinedQueue', at: AT - 50_000, callKey: '1741.3', queue: 'sales', position: 1, count: 2, callerNumber: null, dialedNumber: null },
    ]);
    expect(c.calls).toEqual(['1741.7', '1741.3']);
  });
});

describe('live channels vs tracked calls', () => {
  const chan = (name: string, uniqueid: string, linkedid: string, state = '6') =>
    listedChannel({ headers: [['Event', 'CoreShowChannel'], ['Channel', name], ['ChannelState', state], ['Uniqueid', uniqueid], ['Linkedid', linkedid]] }, (id) => id === '1002')!;

  it('should end a queued call and release a connected one whose channels are gone', () => {
    const c = channelCorrections(tracked([], [['c1', queued('l:c1', 'support')], ['c2', connected('l:c2', '1002')]]), [], new Set(), AT);
    expect(c.events).toEqual([
      { type: 'CallerAbandonedQueue', at: AT, callKey: 'c1', queue: 'support', position: 2, originalPosition: 2 },
      { type: 'ChannelHungUp', at: AT, callKey: 'c1', callerLeg: true },
      { type: 'AgentCallCompleted', at: AT, callKey: 'c2', agentId: '1002', extension: 'PJSIP/1002', queue: 'support', reason: 'other', inferredByResync: true },
      { type: 'ChannelHungUp', at: AT, callKey: 'c2', callerLeg: true },
    ]);
    expect(c.calls).toEqual(['c1', 'c2']);
    expect(c.agents).toEqual(['1002']);
  });

  it('should answer a call tracked as queued that no longer waits and is bridged to an agent device that is up', () => {
    const legs = [chan('PJSIP/trunk-00000001', 'c1', 'c1'), chan('PJSIP/1002-0000000a', 'c1.2', 'c1')];
    const c = channelCorrections(tracked([], [['c1', queued('l:c1', 'support')]]), legs, new Set(), AT);
    expect(c.events).toEqual([{ type: 'AgentAnswered', at: AT, callKey: 'c1', agentId: '1002', extension: 'PJSIP/1002', queue: 'support', ringSeconds: 0 }]);
  });

  it('should leave alone a queued call still waiting, or only ringing an agent', () => {
    const ringing = [chan('PJSIP/trunk-00000001', 'c1', 'c1'), chan('PJSIP/1002-0000000a', 'c1.2', 'c1', '5')];
    expect(channelCorrections(tracked([], [['c1', queued('l:c1', 'support')]]), ringing, new Set(['c1']), AT).events).toEqual([]);
    expect(channelCorrections(tracked([], [['c1', queued('l:c1', 'support')]]), ringing, new Set(), AT).events).toEqual([]);
  });
});

describe('callers found waiting by a resync', () => {
  const entry = (uniqueid: string, position: number): [string, string][] =>
    [['Event', 'QueueEntry'], ['Queue', 'support'], ['Position', String(position)], ['Channel', `PJSIP/trunk-${uniqueid}`], ['Uniqueid', uniqueid], ['CallerIDNum', '13812345678'], ['Wait', '12']];

  it('should keep the SWITCHBOARD_CALLER_TIER of the caller\'s channel (from the channel list), normalised, and leave out an invalid one', () => {
    const c = new QueueListingCollector();
    [entry('100.1', 1), entry('100.2', 2), entry('100.3', 3)].forEach((headers) => c.add({ headers }));
    const tiers = new Map<string, string | undefined>([['100.1', ' VIP '], ['100.2', 'not a tier!'], ['100.3', undefined]]);
    const corrections = queueCorrections(tracked([]), c.listing(tiers), AT);
    expect(corrections.events.map((e) => [e.type === 'CallerJoinedQueue' && e.callKey, e.type === 'CallerJoinedQueue' && e.callerTier])).toEqual([
      ['100.1', 'vip'], ['100.2', undefined], ['100.3', undefined],
    ]);
    expect(corrections.events[1]).not.toHaveProperty('callerTier');
  });
});
