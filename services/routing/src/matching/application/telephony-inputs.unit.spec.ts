import { AgentLoggedIn, AgentQueueMembershipChanged, AgentStateChanged, CallAbandoned, CallAssignmentFailed, CallQueued, CallQueueTimedOut, createEnvelope, type AnyEvent, type DataOf, type EventDefinition } from '@switchboard/contracts';
import { telephonyInputs } from './telephony-inputs';
import { decodeInput, encodeInput } from './input-codec';

const time = '2026-03-02T09:00:00.000Z';
const at = Date.parse(time);
const envelope = <E extends EventDefinition>(definition: E, subject: string, data: DataOf<E>) =>
  createEnvelope(definition, { service: 'telephony-gateway', site: 'nc', tenant: 'acme', subject, sequence: 1, data, id: '0190f3a2-5b1c-7101-8a4e-2c0e9a1f7b31', time }) as unknown as AnyEvent;
const state = (current: DataOf<typeof AgentStateChanged>['current']) =>
  telephonyInputs(envelope(AgentStateChanged, 'E1', { agentId: 'E1', extension: '8001', previous: { status: 'ready' }, current, previousStateSeconds: 3 }));

describe('telephony facts as engine inputs', () => {
  it('should queue a call at its PBX time', () => {
    expect(telephonyInputs(envelope(CallQueued, 'c1', { callId: 'c1', queueId: 'billing', skillId: 'billing', position: 1, queueLength: 1 })))
      .toEqual([{ type: 'CallQueued', callId: 'c1', queueId: 'billing', queueVisit: 1, at }]);
    expect(telephonyInputs(envelope(CallQueued, 'c1', { callId: 'c1', queueId: 'billing', skillId: 'billing', position: 1, queueLength: 1, queueVisit: 2 })))
      .toEqual([{ type: 'CallQueued', callId: 'c1', queueId: 'billing', queueVisit: 2, at }]);
  });

  it("should carry the caller tier the PBX attached, and none when it attached none", () => {
    expect(telephonyInputs(envelope(CallQueued, 'c1', { callId: 'c1', queueId: 'billing', skillId: 'billing', position: 1, queueLength: 1, callerTier: 'vip' })))
      .toEqual([{ type: 'CallQueued', callId: 'c1', queueId: 'billing', queueVisit: 1, callerTier: 'vip', at }]);
  });

  it('should end a queue visit on abandon (absent visit = 1) or queue timeout', () => {
    expect(telephonyInputs(envelope(CallAbandoned, 'c1', { callId: 'c1', queueId: 'billing', waitSeconds: 5, position: 1, originalPosition: 1 })))
      .toEqual([{ type: 'CallAbandoned', callId: 'c1', queueVisit: 1, at }]);
    expect(telephonyInputs(envelope(CallQueueTimedOut, 'c1', { callId: 'c1', queueId: 'billing', waitSeconds: 300, position: 1, originalPosition: 2, queueVisit: 2 })))
      .toEqual([{ type: 'CallQueueTimedOut', callId: 'c1', queueVisit: 2, at }]);
  });

  it('should treat a login as ready, as the gateway starts a session', () => {
    expect(telephonyInputs(envelope(AgentLoggedIn, 'E1', { agentId: 'E1', extension: '8001', pbxLinkId: 'nc1', queueIds: ['billing'] })))
      .toEqual([{ type: 'AgentLoggedIn', agentId: 'E1', queueIds: ['billing'], at }, { type: 'AgentBecameReady', agentId: 'E1', at }]);
  });

  it("should name the failed offer through the assignment's event id", () => {
    const failed = envelope(CallAssignmentFailed, 'c1', {
      callId: 'c1', agentId: 'E1', assignmentEventId: 'evt-7', pbxLinkId: 'nc1', failure: 'pbx-refused', reason: 'PBX: agent E1 is not available',
    });
    expect(telephonyInputs(failed, (id) => (id === 'evt-7' ? 7 : null))).toEqual([{ type: 'AssignmentFailed', callId: 'c1', agentId: 'E1', offerSeq: 7, problem: 'agent', at }]);
    expect(telephonyInputs(failed)).toEqual([{ type: 'AssignmentFailed', callId: 'c1', agentId: 'E1', offerSeq: null, problem: 'agent', at }]);
  });

  it('should blame the call, not the agent, only for call-not-waiting', () => {
    const failed = (failure: DataOf<typeof CallAssignmentFailed>['failure']) => telephonyInputs(envelope(CallAssignmentFailed, 'c1', {
      callId: 'c1', agentId: 'E1', assignmentEventId: 'evt-7', pbxLinkId: 'nc1', failure, reason: 'PBX: no such channel',
    }), () => 7)[0];
    expect(failed('call-not-waiting')).toMatchObject({ type: 'AssignmentFailed', problem: 'call' });
    expect(['pbx-refused', 'unknown-call', 'agent-not-logged-in', 'link-down', 'timeout', 'outcome-unknown'].map((f) => (failed(f as 'timeout') as { problem: string }).problem))
      .toEqual(Array(6).fill('agent'));
  });

  it("should take a membership change's full queue list", () => {
    expect(telephonyInputs(envelope(AgentQueueMembershipChanged, 'E1', { agentId: 'E1', extension: '8001', pbxLinkId: 'nc1', queueIds: ['billing', 'sales'], added: ['sales'], removed: [] })))
      .toEqual([{ type: 'AgentQueuesChanged', agentId: 'E1', queueIds: ['billing', 'sales'], at }]);
  });

  it('should map each agent state to its input', () => {
    expect(state({ status: 'ready' })).toEqual([{ type: 'AgentBecameReady', agentId: 'E1', at }]);
    expect(state({ status: 'not-ready', reason: 'break' })).toEqual([{ type: 'AgentBecameNotReady', agentId: 'E1', reason: 'break', at }]);
    expect(state({ status: 'on-call', callId: 'c1' })).toEqual([{ type: 'AgentOnCall', agentId: 'E1', callId: 'c1', at }]);
    expect(state({ status: 'wrap-up', callId: 'c1' })).toEqual([{ type: 'AgentStartedWrapUp', agentId: 'E1', callId: 'c1', at }]);
  });

  it('should journal a profile change with its skills intact', () => {
    const input = { type: 'AgentProfileChanged', agentId: 'E1', profile: { teamId: 't1', skills: new Map([['billing', 3]]) }, at } as const;
    expect(decodeInput(JSON.parse(JSON.stringify(encodeInput(input))))).toEqual(input);
  });

  it("should journal a team leader's profile and the director's ratio, and read older entries as no leader", () => {
    const leader = { type: 'AgentProfileChanged', agentId: 'TL1', profile: { teamId: 't1', skills: new Map(), teamLeader: true }, at } as const;
    expect(decodeInput(JSON.parse(JSON.stringify(encodeInput(leader))))).toStrictEqual(leader);
    const ratio = { type: 'TeamLeaderShareSet', ratio: 0.25, at } as const;
    expect(decodeInput(JSON.parse(JSON.stringify(encodeInput(ratio))))).toStrictEqual(ratio);
    const older = decodeInput({ type: 'AgentProfileChanged', agentId: 'E1', profile: { teamId: 't1', skills: [] }, at });
    expect(older.type === 'AgentProfileChanged' && older.profile.teamLeader).toBeUndefined();
  });
});
