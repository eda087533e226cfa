import { amiReplyAccepted, eslReplyAccepted, eslTransferCommand, extensionOfAgent, linkOfCall, ownerOfCall, planAssignment, type Assignment } from './domain/assignment-plan';
import { failureOf, INTERRUPTED, outcomeOf, settledEvent } from './domain/assignment-outcome';

const LINKS = [{ pbxLinkId: 'asterisk-1', context: 'agents' }];
const assignment = (callId: string, agentId = '1002'): Assignment => ({ eventId: 'e1', callId, agentId, queueId: 'sales', waitSeconds: 0 });
const queued = { callerChannel: 'PJSIP/trunk-0000001a', agentInterface: 'PJSIP/1002', callStatus: 'queued' };

describe('routing decision → PBX action', () => {
  it('should map a canonical call id back to its PBX link, preferring the longest link id', () => {
    expect(linkOfCall('asterisk-1:1741000000.12', ['asterisk-1', 'asterisk-2'])).toBe('asterisk-1');
    expect(linkOfCall('pbx:a:1741000000.12', ['pbx', 'pbx:a'])).toBe('pbx:a');
    expect(linkOfCall('other:1741000000.12', ['asterisk-1'])).toBeUndefined();
    expect(linkOfCall('asterisk-1:', ['asterisk-1'])).toBeUndefined();
  });

  it('should give a call to exactly one of the configured links, held here or elsewhere, deciding an ambiguous id by the call state', () => {
    expect(ownerOfCall('ami-1:1741.7', ['ami-1', 'esl-1'])).toBe('ami-1');
    expect(ownerOfCall('esl-1:5f3c-uuid', ['ami-1', 'esl-1'])).toBe('esl-1');
    expect(ownerOfCall('other:1.1', ['ami-1', 'esl-1'])).toBeUndefined();
    // `pbx:a:1` is call `a:1` of link `pbx` or call `1` of link `pbx:a`: whichever tracks it owns it.
    expect(ownerOfCall('pbx:a:1', ['pbx', 'pbx:a'], ['pbx'])).toBe('pbx');
    expect(ownerOfCall('pbx:a:1', ['pbx', 'pbx:a'], ['pbx:a'])).toBe('pbx:a');
    expect(ownerOfCall('pbx:a:1', ['pbx', 'pbx:a'])).toBe('pbx:a');
  });

  it('should redirect the caller channel to the agent extension in the agents context', () => {
    expect(planAssignment(assignment('asterisk-1:1741.7'), LINKS, queued)).toEqual({
      kind: 'redirect', protocol: 'ami', pbxLinkId: 'asterisk-1', extension: '1002',
      action: [['Action', 'Redirect'], ['Channel', 'PJSIP/trunk-0000001a'], ['Exten', '1002'], ['Context', 'agents'], ['Priority', '1']],
    });
  });

  it('should take the extension from a Local member interface and fall back to the agent id', () => {
    expect(extensionOfAgent('agent-7', 'Local/1007@agents/n')).toBe('1007');
    expect(extensionOfAgent('1003', null)).toBe('1003');
  });

  it('should reject, as an unknown call, an assignment for a call whose caller channel the gateway never saw', () => {
    expect(planAssignment(assignment('asterisk-1:9.9'), LINKS, { callerChannel: null, agentInterface: null }))
      .toEqual({ kind: 'reject', pbxLinkId: 'asterisk-1', failure: 'unknown-call', reason: 'unknown call: no caller channel recorded' });
  });

  it('should reject, as a call not waiting, an assignment for a known call that was answered, ended or forgotten, without asking the PBX', () => {
    expect(planAssignment(assignment('asterisk-1:1741.7'), LINKS, { ...queued, callStatus: 'ended' }))
      .toEqual({ kind: 'reject', pbxLinkId: 'asterisk-1', failure: 'call-not-waiting', reason: 'call no longer waiting in a queue (ended)' });
    expect(planAssignment(assignment('asterisk-1:1741.7'), LINKS, { ...queued, callStatus: 'connected' }))
      .toMatchObject({ kind: 'reject', failure: 'call-not-waiting', reason: 'call no longer waiting in a queue (connected)' });
    expect(planAssignment(assignment('asterisk-1:1741.7'), LINKS, { ...queued, callStatus: null }))
      .toMatchObject({ kind: 'reject', failure: 'call-not-waiting', reason: 'call no longer waiting in a queue (gone)' });
  });

  it('should leave assignments for other gateways alone', () => {
    expect(planAssignment(assignment('elsewhere:1.1'), LINKS, queued)).toEqual({ kind: 'not-ours' });
  });

  it('should read the AMI response as accepted or refused with its message', () => {
    expect(amiReplyAccepted('Success', 'Redirect successful')).toEqual({ accepted: true, message: 'Redirect successful' });
    expect(amiReplyAccepted('Error', 'No such channel')).toEqual({ accepted: false, message: 'No such channel' });
    expect(amiReplyAccepted(undefined, undefined)).toEqual({ accepted: false, message: 'no response' });
  });
});

describe('FreeSWITCH (event socket): uuid_transfer of the caller session to the agent extension', () => {
  const ESL = [{ pbxLinkId: 'freeswitch-1', context: 'default', protocol: 'esl' as const }];
  const session = '0b5c1c2e-2f51-4a8e-9d1f-6b1b7b9e0a11';

  it('should plan `api uuid_transfer <session> <extension> XML <context>`', () => {
    expect(planAssignment(assignment('freeswitch-1:m-1', '1001'), ESL, { callerChannel: session, agentInterface: '1001@default', callStatus: 'queued' })).toEqual({
      kind: 'redirect', protocol: 'esl', pbxLinkId: 'freeswitch-1', extension: '1001', command: `api uuid_transfer ${session} 1001 XML default`,
    });
  });

  it('should refuse values that would inject into the command line', () => {
    expect(() => eslTransferCommand('abc def', '1001', 'default')).toThrow(/callerChannel/);
    expect(() => eslTransferCommand(session, '1001 XML x\napi', 'default')).toThrow(/extension\/context/);
  });

  it('should read +OK as accepted and -ERR as refused with its reason', () => {
    expect(eslReplyAccepted('+OK\n')).toEqual({ accepted: true, message: '+OK' });
    expect(eslReplyAccepted('-ERR No such channel!\n')).toEqual({ accepted: false, message: 'No such channel!' });
  });
});

describe('assignment outcome', () => {
  const redirect = planAssignment(assignment('asterisk-1:1741.7'), LINKS, queued);
  if (redirect.kind !== 'redirect') throw new Error('expected a redirect plan');

  it('should report an accepted action as executed with the time from joining the queue to the PBX accepting it', () => {
    expect(outcomeOf(redirect, { kind: 'answered', accepted: true, message: 'Redirect successful' }, 1_000, 3_500))
      .toEqual({ status: 'executed', action: 'redirect', queuedToExecutedMs: 2_500 });
  });

  it('should class failures: refused by the PBX, agent not there, link down, no answer in time, and a reject before sending', () => {
    expect(outcomeOf(redirect, { kind: 'answered', accepted: false, message: 'Permission denied' }, null, 0)).toEqual({ status: 'failed', failure: 'pbx-refused', reason: 'PBX: Permission denied' });
    expect(failureOf({ kind: 'answered', accepted: false, message: 'agent 1002 is not available' })).toBe('agent-not-logged-in');
    expect(outcomeOf(redirect, { kind: 'link-error', message: 'AMI link is down' }, null, 0)).toEqual({ status: 'failed', failure: 'link-down', reason: 'AMI: AMI link is down' });
    expect(failureOf({ kind: 'link-error', message: 'Redirect: no response in 5000 ms' })).toBe('timeout');
    expect(failureOf({ kind: 'link-error', message: 'something else' })).toBe('outcome-unknown');
    const reject = planAssignment(assignment('asterisk-1:9.9'), LINKS, { callerChannel: null, agentInterface: null });
    if (reject.kind !== 'reject') throw new Error('expected a reject plan');
    expect(outcomeOf(reject, null, null, 0)).toEqual({ status: 'failed', failure: 'unknown-call', reason: 'unknown call: no caller channel recorded' });
  });

  it('should class a refused Redirect of a known call that hung up, rings an agent or waits out a ring-no-answer retry as call-not-waiting', () => {
    expect(outcomeOf(redirect, { kind: 'answered', accepted: false, message: 'No such channel' }, null, 0))
      .toEqual({ status: 'failed', failure: 'call-not-waiting', reason: 'PBX: No such channel' });
    expect(failureOf({ kind: 'answered', accepted: false, message: 'call sim-42 is not waiting in a queue' })).toBe('call-not-waiting');
    expect(failureOf({ kind: 'answered', accepted: false, message: 'No such channel!' })).toBe('call-not-waiting'); // FreeSWITCH uuid_transfer
    expect(failureOf({ kind: 'answered', accepted: false, message: 'agent 1002 is not available' })).toBe('agent-not-logged-in');
  });

  it('should address the outcome to the call on its link, naming the assignment', () => {
    expect(settledEvent(assignment('asterisk-1:1741.7'), 'asterisk-1', INTERRUPTED, 42)).toEqual({
      type: 'AssignmentSettled', at: 42, callKey: '1741.7', assignmentEventId: 'e1', agentId: '1002', outcome: INTERRUPTED,
    });
  });
});
