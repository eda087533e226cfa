import { AgentLoggedIn, AgentLoggedOut, AgentQueueMembershipChanged, AgentStateChanged, type AnyEvent } from '@switchboard/contracts';
import { agentShift } from '../test-support/agent-shift.fixture';
import { AgentRow, foldAgentEvent } from './agent-state.batch';

describe('foldAgentEvent', () => {
  const e1 = agentShift(1).filter((e) => e.subject === 'E1');
  const first = (type: string) => e1.find((e) => e.type === type)!;
  const fold = (events: readonly AnyEvent[]) => events.reduce<{ row?: AgentRow; segments: string[] }>((acc, e) => {
    const { row, segment } = foldAgentEvent(acc.row, e);
    return { row, segments: segment ? [...acc.segments, segment.event_id] : acc.segments };
  }, { segments: [] });

  it('should keep a newer state when an older state change arrives late, yet record the late change\'s closed segment', () => {
    const changes = e1.filter((e) => e.type === AgentStateChanged.type);
    const inOrder = fold([first(AgentLoggedIn.type), changes[0], changes[1]]);
    const late = fold([first(AgentLoggedIn.type), changes[1], changes[0]]);
    expect(late.row).toEqual(inOrder.row);
    expect(late.segments.sort()).toEqual(inOrder.segments.sort());
  });

  it('should keep the queues of a membership change newer than a log-in that arrives after it', () => {
    const [login1, login2] = e1.filter((e) => e.type === AgentLoggedIn.type);
    const membership = e1.find((e) => e.type === AgentQueueMembershipChanged.type && e.time > login2.time)!;
    const { row } = fold([login1, membership, login2]);
    expect(row).toMatchObject({ logged_in: true, since: Date.parse(login2.time), as_of: Date.parse(login2.time),
      queue_ids: (membership.data as { queueIds: string[] }).queueIds, queues_as_of: Date.parse(membership.time) });
    expect((login2.data as { queueIds: string[] }).queueIds).not.toEqual(row!.queue_ids);
  });

  it('should still apply an older log-in that arrives after a membership change, keeping the newer queues', () => {
    const login = first(AgentLoggedIn.type);
    const membership = e1.find((e) => e.type === AgentQueueMembershipChanged.type)!;
    expect(membership.time > login.time).toBe(true);
    const { row } = fold([membership, login]);
    expect(row).toMatchObject({ logged_in: true, state: null, since: Date.parse(login.time), as_of: Date.parse(login.time),
      queue_ids: (membership.data as { queueIds: string[] }).queueIds, queues_as_of: Date.parse(membership.time) });
    expect(fold([membership]).row).toMatchObject({ logged_in: false, as_of: null });
  });

  it('should close the open state at log-out with a segment, and none when no state was open', () => {
    const login = first(AgentLoggedIn.type);
    const change = first(AgentStateChanged.type);
    const logout = first(AgentLoggedOut.type);
    const open = fold([login, change, logout]);
    expect(open.row).toMatchObject({ logged_in: false, state: null, as_of: Date.parse(logout.time) });
    expect(open.segments).toEqual([change.id, logout.id]);
    expect(fold([login, logout]).segments).toEqual([]);
  });
});
