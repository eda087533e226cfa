import { extensionOfAgent, linkOfCall, outcomeOfResponse, planAssignment, type Assignment } from './domain/assignment-plan';

const LINKS = [{ pbxLinkId: 'asterisk-1', context: 'agents' }];
const assignment = (callId: string, agentId = '1002'): Assignment => ({ eventId: 'e1', callId, agentId, queueId: 'sales', waitSeconds: 0 });

describe('routing decision → AMI action', () => {
  it('should map a canonical call id back to its PBX link, preferring the longest link id', () => {
    expect(linkOfCall('asterisk-1:1741000000.12', ['asterisk-1', 'asterisk-2'])).toBe('asterisk-1');
    expect(linkOfCall('pbx:a:1741000000.12', ['pbx', 'pbx:a'])).toBe('pbx:a');
    expect(linkOfCall('other:1741000000.12', ['asterisk-1'])).toBeUndefined();
    expect(linkOfCall('asterisk-1:', ['asterisk-1'])).toBeUndefined();
  });

  it('should redirect the caller channel to the agent extension in the agents context', () => {
    const plan = planAssignment(assignment('asterisk-1:1741.7'), LINKS, { callerChannel: 'PJSIP/trunk-0000001a', agentInterface: 'PJSIP/1002' });
    expect(plan).toEqual({
      kind: 'redirect', pbxLinkId: 'asterisk-1', extension: '1002',
      action: [['Action', 'Redirect'], ['Channel', 'PJSIP/trunk-0000001a'], ['Exten', '1002'], ['Context', 'agents'], ['Priority', '1']],
    });
  });

  it('should take the extension from a Local member interface and fall back to the agent id', () => {
    expect(extensionOfAgent('agent-7', 'Local/1007@agents/n')).toBe('1007');
    expect(extensionOfAgent('1003', null)).toBe('1003');
  });

  it('should reject an assignment for a call whose caller channel the gateway never saw', () => {
    expect(planAssignment(assignment('asterisk-1:9.9'), LINKS, { callerChannel: null, agentInterface: null }))
      .toEqual({ kind: 'reject', pbxLinkId: 'asterisk-1', reason: 'unknown call: no caller channel recorded' });
  });

  it('should leave assignments for other gateways alone', () => {
    expect(planAssignment(assignment('elsewhere:1.1'), LINKS, { callerChannel: 'PJSIP/trunk-1', agentInterface: null })).toEqual({ kind: 'not-ours' });
  });

  it('should read the PBX response as executed or failed with its message', () => {
    expect(outcomeOfResponse('Success', 'Redirect successful')).toEqual({ status: 'executed' });
    expect(outcomeOfResponse('Error', 'No such channel')).toEqual({ status: 'failed', reason: 'PBX: No such channel' });
    expect(outcomeOfResponse(undefined, undefined)).toEqual({ status: 'failed', reason: 'PBX: no response' });
  });
});
