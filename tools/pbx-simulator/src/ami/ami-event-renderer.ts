import type { Scenario } from '../domain/scenario';
import type { QueueMembership, SimFact } from '../domain/sim-facts';
import { recordingSpec } from '../domain/recordings';
import {
  amiTimestamp, ChannelFactory, channelSnapshot, formatDuration, touch, UNKNOWN, wholeSecondsBetween, type AmiChannel,
} from './ami-channels';

interface CallChannels {
  readonly callId: string;
  readonly caller: AmiChannel;
  agentLeg: AmiChannel | null;
  agentId: string | null;
  queue: string;
  queuedAtMs: number;
  answeredAtMs: number;
  bridgeId: string;
  extraLeg: AmiChannel | null;
  /** The contact being recorded (queues.conf monitor-type=MixMonitor), from answer to release or transfer. */
  recording: { readonly contactId: string } | null;
}

interface MemberState {
  readonly queue: string;
  readonly agentId: string;
  readonly penalty: number;
  callsTaken: number;
  lastCall: number;
  lastPause: number;
  loginTime: number;
  inCall: number;
  status: number;
  paused: number;
  pausedReason: string;
}

interface QueueStats {
  completed: number;
  abandoned: number;
  completedInSl: number;
  holdtime: number;
  talktime: number;
  readonly waiting: CallChannels[];
}

const DEVICE_NOT_INUSE = 1;
const DEVICE_INUSE = 2;

/**
 * Turns simulation facts into Asterisk 12+ AMI event frames, with the field names, units and ordering of a real
 * app_queue (telephony-reference §3.3, §3.7). It also keeps the state a reconnecting client resyncs from.
 */
export class AmiEventRenderer {
  private readonly channels = new ChannelFactory();
  private readonly calls = new Map<string, CallChannels>();
  private readonly callByChannel = new Map<string, string>();
  private readonly members = new Map<string, MemberState[]>();
  private readonly queueStats = new Map<string, QueueStats>();
  private bridgeSequence = 0;
  private out = '';

  /** `recordingsDirectory`: where the PBX says it writes recordings (MIXMONITOR_FILENAME); null = calls are not recorded. */
  constructor(private readonly scenario: Scenario, private readonly recordingsDirectory: string | null = null) {
    for (const q of scenario.queues) this.queueStats.set(q.name, { completed: 0, abandoned: 0, completedInSl: 0, holdtime: 0, talktime: 0, waiting: [] });
  }

  /** Renders the facts and returns the concatenated frames. */
  render(facts: readonly SimFact[]): string {
    this.out = '';
    for (const fact of facts) this.renderFact(fact);
    return this.out;
  }

  callIdOfChannel(channelName: string): string | undefined {
    return this.callByChannel.get(channelName);
  }

  private event(name: string, privilege: string, at: number, body: string): void {
    this.out += `Event: ${name}\r\nPrivilege: ${privilege}\r\nTimestamp: ${amiTimestamp(at)}\r\n${body}\r\n`;
  }

  private renderFact(fact: SimFact): void {
    switch (fact.type) {
      case 'CallArrived':
        return this.onCallArrived(fact, fact.at);
      case 'CallQueued':
        return this.onCallQueued(fact);
      case 'AgentRingStarted':
        return this.onRingStarted(fact.callId, fact.agentId, fact.queue, fact.at);
      case 'AgentRingEnded':
        return this.onRingEnded(fact.callId, fact.agentId, fact.queue, fact.result, fact.ringMs, fact.at);
      case 'CallAnswered':
        return this.onAnswered(fact);
      case 'CallHeld':
        return this.onHold(fact.callId, fact.at, true);
      case 'CallRetrieved':
        return this.onHold(fact.callId, fact.at, false);
      case 'ConferenceStarted':
      case 'ConsultStarted':
        return this.onExtraLegStarted(fact.callId, fact.type === 'ConferenceStarted' ? fact.party : fact.target, fact.type === 'ConferenceStarted', fact.at);
      case 'ConferenceEnded':
        return this.onConferenceEnded(fact.callId, fact.at);
      case 'CallTransferred':
        return this.onTransferred(fact);
      case 'CallCompleted':
        return this.onCompleted(fact);
      case 'TransferredCallEnded':
        return this.onTransferredCallEnded(fact.callId, fact.at);
      case 'TimedOutCallEnded':
        return this.onTimedOutCallEnded(fact.callId, fact.at);
      case 'CallLeftQueueUnanswered':
        return this.onLeftUnanswered(fact);
      case 'AgentLoggedIn':
        return this.onLogin(fact.agentId, fact.queues, fact.at);
      case 'AgentLoggedOut':
        return this.onLogout(fact.agentId, fact.at);
      case 'AgentPaused':
        return this.onPause(fact.agentId, true, fact.reason, fact.at);
      case 'AgentUnpaused':
        return this.onPause(fact.agentId, false, fact.reason, fact.at);
      case 'AfterCallWorkStarted':
        return this.onPause(fact.agentId, true, this.scenario.acwPauseReason, fact.at);
      case 'AfterCallWorkEnded':
        return this.onPause(fact.agentId, false, '', fact.at);
      case 'RoutingDecisionMissed':
        return;
      default: {
        const _exhaustive: never = fact;
        return _exhaustive;
      }
    }
  }

  // ───────────────────────────── channels and queue callers ─────────────────────────────

  private onCallArrived({ callId, callerNumber, repeatOfCallId, callerTier }: Extract<SimFact, { type: 'CallArrived' }>, at: number): void {
    // With channelvars= listing it, Asterisk sends the variable on every event, empty where the dial plan set none.
    const tier: [string, string][] = (this.scenario.callers.vipShare ?? 0) > 0 ? [['SWITCHBOARD_CALLER_TIER', callerTier ?? '']] : [];
    const caller = this.channels.create('PJSIP/trunk', at, null, {
      context: 'from-trunk', exten: 's', state: 4, callerNum: callerNumber, callerName: UNKNOWN, application: 'Queue', applicationData: '',
      variables: [['SWITCHBOARD_CALL_ID', callId], ['SWITCHBOARD_REPEAT_OF', repeatOfCallId ?? ''], ...tier],
    });
    this.calls.set(callId, { callId, caller, agentLeg: null, agentId: null, queue: '', queuedAtMs: at, answeredAtMs: 0, bridgeId: '', extraLeg: null, recording: null });
    this.callByChannel.set(caller.name, callId);
    this.event('Newchannel', 'call,all', at, channelSnapshot(caller));
    caller.state = 6;
    touch(caller);
    this.event('Newstate', 'call,all', at, channelSnapshot(caller));
  }

  private onCallQueued(fact: Extract<SimFact, { type: 'CallQueued' }>): void {
    const call = this.calls.get(fact.callId)!;
    call.queue = fact.queue;
    call.queuedAtMs = fact.at;
    call.caller.applicationData = `${fact.queue},t`;
    touch(call.caller);
    this.queueStats.get(fact.queue)!.waiting.push(call);
    this.event('QueueCallerJoin', 'agent,all', fact.at, `${channelSnapshot(call.caller)}Queue: ${fact.queue}\r\nPosition: ${fact.position}\r\nCount: ${fact.count}\r\n`);
    this.event('MusicOnHoldStart', 'call,all', fact.at, `${channelSnapshot(call.caller)}Class: default\r\n`);
  }

  private agentFields(queue: string, agentId: string): string {
    return `Queue: ${queue}\r\nMemberName: Agent ${agentId}\r\nInterface: PJSIP/${agentId}\r\n`;
  }

  private onRingStarted(callId: string, agentId: string, queue: string, at: number): void {
    const call = this.calls.get(callId)!;
    const leg = this.channels.create(`PJSIP/${agentId}`, at, call.caller.linkedid, {
      context: 'from-queue', exten: queue, state: 0, callerNum: agentId, callerName: `Agent ${agentId}`, application: 'AppQueue', applicationData: '(Outgoing Line)', variables: [],
    });
    leg.connectedNum = call.caller.callerNum;
    call.agentLeg = leg;
    call.agentId = agentId;
    this.event('Newchannel', 'call,all', at, channelSnapshot(leg));
    const both = channelSnapshot(call.caller) + channelSnapshot(leg, 'Dest');
    this.event('AgentCalled', 'agent,all', at, both + this.agentFields(queue, agentId));
    this.event('DialBegin', 'call,all', at, `${both}DialString: ${agentId}\r\n`);
    leg.state = 5;
    touch(leg);
    this.event('Newstate', 'call,all', at, channelSnapshot(leg));
  }

  private onRingEnded(callId: string, agentId: string, queue: string, result: 'no-answer' | 'canceled', ringMs: number, at: number): void {
    const call = this.calls.get(callId)!;
    const leg = call.agentLeg!;
    const both = channelSnapshot(call.caller) + channelSnapshot(leg, 'Dest');
    // RingTime is in milliseconds here, unlike AgentConnect (reference §3.3 gotcha 2). A caller abandoning while the
    // agent rings produces no AgentRingNoAnswer at all.
    if (result === 'no-answer') this.event('AgentRingNoAnswer', 'agent,all', at, `${both + this.agentFields(queue, agentId)}RingTime: ${ringMs}\r\n`);
    this.event('DialEnd', 'call,all', at, `${both}DialStatus: ${result === 'no-answer' ? 'NOANSWER' : 'CANCEL'}\r\n`);
    this.hangup(leg, at, 0, 'Unknown');
    call.agentLeg = null;
    call.agentId = null;
  }

  private onAnswered(fact: Extract<SimFact, { type: 'CallAnswered' }>): void {
    const call = this.calls.get(fact.callId)!;
    const leg = call.agentLeg!;
    const { caller } = call;
    leg.state = 6;
    leg.connectedNum = caller.callerNum;
    caller.connectedNum = fact.agentId;
    caller.connectedName = `Agent ${fact.agentId}`;
    touch(leg);
    touch(caller);
    call.answeredAtMs = fact.at;
    this.removeWaiting(call);
    this.event('Newstate', 'call,all', fact.at, channelSnapshot(leg));
    const both = (): string => channelSnapshot(caller) + channelSnapshot(leg, 'Dest');
    this.event('DialEnd', 'call,all', fact.at, `${both()}DialStatus: ANSWER\r\n`);
    this.event('MusicOnHoldStop', 'call,all', fact.at, channelSnapshot(caller));
    // Real app_queue order: the caller leaves the queue before AgentConnect (reference §3.3 gotcha 3).
    this.event('QueueCallerLeave', 'agent,all', fact.at, `${channelSnapshot(caller)}Queue: ${fact.queue}\r\nCount: ${fact.countAfter}\r\nPosition: ${fact.position}\r\n`);
    const holdTime = wholeSecondsBetween(call.queuedAtMs, fact.at);
    const ringTime = wholeSecondsBetween(fact.at - fact.ringMs, fact.at);
    this.event('AgentConnect', 'agent,all', fact.at, `${both() + this.agentFields(fact.queue, fact.agentId)}RingTime: ${ringTime}\r\nHoldTime: ${holdTime}\r\n`);
    this.updateQueueHoldtime(fact.queue, holdTime, fact.waitMs);
    call.bridgeId = this.bridgeUniqueid(fact.at);
    this.event('BridgeCreate', 'call,all', fact.at, this.bridgeFields(call.bridgeId, 0));
    this.enterBridge(call, leg, 1, fact.at);
    this.enterBridge(call, caller, 2, fact.at);
    this.setMemberInCall(fact.agentId, true, fact.at);
    this.startRecording(call, fact.contactId, fact.at);
  }

  /** MixMonitor on the caller channel: VarSet MIXMONITOR_FILENAME, then MixMonitorStart (snapshot only, no file). */
  private startRecording(call: CallChannels, contactId: string, at: number): void {
    if (this.recordingsDirectory === null) return;
    call.recording = { contactId };
    const file = `${this.recordingsDirectory}/${recordingSpec(call.queue, contactId, at, at).fileName}`;
    this.event('VarSet', 'dialplan,all', at, `${channelSnapshot(call.caller)}Variable: MIXMONITOR_FILENAME\r\nValue: ${file}\r\n`);
    this.event('MixMonitorStart', 'call,all', at, channelSnapshot(call.caller));
  }

  private stopRecording(call: CallChannels, at: number): void {
    if (call.recording === null) return;
    call.recording = null;
    this.event('MixMonitorStop', 'call,all', at, channelSnapshot(call.caller));
  }

  private bridgeUniqueid(at: number): string {
    const n = ++this.bridgeSequence;
    return `${(n * 2654435761 >>> 0).toString(16).padStart(8, '0')}-${Math.floor(at / 1000).toString(16)}-4000-8000-${n.toString(16).padStart(12, '0')}`;
  }

  private bridgeFields(bridgeId: string, count: number): string {
    return `BridgeUniqueid: ${bridgeId}\r\nBridgeType: basic\r\nBridgeTechnology: simple_bridge\r\nBridgeCreator: Queue\r\nBridgeName: <unknown>\r\nBridgeNumChannels: ${count}\r\nBridgeVideoSourceMode: none\r\n`;
  }

  private enterBridge(call: CallChannels, channel: AmiChannel, count: number, at: number): void {
    channel.bridgeId = call.bridgeId;
    this.event('BridgeEnter', 'call,all', at, this.bridgeFields(call.bridgeId, count) + channelSnapshot(channel));
  }

  private leaveBridge(call: CallChannels, channel: AmiChannel, count: number, at: number): void {
    channel.bridgeId = '';
    this.event('BridgeLeave', 'call,all', at, this.bridgeFields(call.bridgeId, count) + channelSnapshot(channel));
  }

  private onHold(callId: string, at: number, held: boolean): void {
    const call = this.calls.get(callId)!;
    const leg = call.agentLeg!;
    if (held) {
      this.event('Hold', 'call,all', at, `${channelSnapshot(leg)}MusicClass: default\r\n`);
      this.event('MusicOnHoldStart', 'call,all', at, `${channelSnapshot(call.caller)}Class: default\r\n`);
    } else {
      this.event('Unhold', 'call,all', at, channelSnapshot(leg));
      this.event('MusicOnHoldStop', 'call,all', at, channelSnapshot(call.caller));
    }
  }

  private onExtraLegStarted(callId: string, target: string, joinsBridge: boolean, at: number): void {
    const call = this.calls.get(callId)!;
    const agentLeg = call.agentLeg!;
    const extra = this.channels.create(`PJSIP/${target}`, at, call.caller.linkedid, {
      context: 'from-internal', exten: target, state: 0, callerNum: target, callerName: UNKNOWN, application: 'AppDial', applicationData: '(Outgoing Line)', variables: [],
    });
    call.extraLeg = extra;
    this.event('Newchannel', 'call,all', at, channelSnapshot(extra));
    this.event('DialBegin', 'call,all', at, `${channelSnapshot(agentLeg) + channelSnapshot(extra, 'Dest')}DialString: ${target}\r\n`);
    extra.state = 6;
    touch(extra);
    this.event('Newstate', 'call,all', at, channelSnapshot(extra));
    this.event('DialEnd', 'call,all', at, `${channelSnapshot(agentLeg) + channelSnapshot(extra, 'Dest')}DialStatus: ANSWER\r\n`);
    if (joinsBridge) this.enterBridge(call, extra, 3, at);
  }

  private onConferenceEnded(callId: string, at: number): void {
    const call = this.calls.get(callId)!;
    this.leaveBridge(call, call.extraLeg!, 2, at);
    this.hangup(call.extraLeg!, at, 16, 'Normal Clearing');
    call.extraLeg = null;
  }

  private onTransferred(fact: Extract<SimFact, { type: 'CallTransferred' }>): void {
    const call = this.calls.get(fact.callId)!;
    const leg = call.agentLeg!;
    if (fact.kind === 'blind') {
      this.event('BlindTransfer', 'call,all', fact.at,
        `Result: Success\r\n${channelSnapshot(leg, 'Transferer')}${channelSnapshot(call.caller, 'Transferee')}` +
        `BridgeUniqueid: ${call.bridgeId}\r\nBridgeType: basic\r\nIsExternal: Yes\r\nContext: from-internal\r\nExtension: ${fact.target}\r\n`);
    } else {
      const consult = call.extraLeg!;
      this.event('AttendedTransfer', 'call,all', fact.at,
        `Result: Success\r\n${channelSnapshot(leg, 'OrigTransferer')}OrigBridgeUniqueid: ${call.bridgeId}\r\nOrigBridgeType: basic\r\n` +
        `${channelSnapshot(leg, 'SecondTransferer')}${channelSnapshot(call.caller, 'Transferee')}${channelSnapshot(consult, 'TransferTarget')}` +
        `IsExternal: No\r\nDestType: Bridge\r\nDestBridgeUniqueid: ${call.bridgeId}\r\n`);
    }
    this.stopRecording(call, fact.at);
    this.agentComplete(call, fact.queue, fact.agentId, fact.waitMs, 'transfer', fact.at);
    this.leaveBridge(call, leg, 1, fact.at);
    this.hangup(leg, fact.at, 16, 'Normal Clearing');
    call.agentLeg = null;
    if (fact.kind === 'attended') this.enterBridge(call, call.extraLeg!, 2, fact.at);
    else {
      this.leaveBridge(call, call.caller, 0, fact.at);
      this.event('BridgeDestroy', 'call,all', fact.at, this.bridgeFields(call.bridgeId, 0));
    }
  }

  private onTransferredCallEnded(callId: string, at: number): void {
    const call = this.calls.get(callId)!;
    const extra = call.extraLeg!;
    this.leaveBridge(call, call.caller, 1, at);
    this.leaveBridge(call, extra, 0, at);
    this.hangup(call.caller, at, 16, 'Normal Clearing');
    this.hangup(extra, at, 16, 'Normal Clearing');
    this.event('BridgeDestroy', 'call,all', at, this.bridgeFields(call.bridgeId, 0));
    this.forgetCall(call);
  }

  private agentComplete(call: CallChannels, queue: string, agentId: string, waitMs: number, reason: string, at: number): void {
    const holdTime = wholeSecondsBetween(call.queuedAtMs, call.queuedAtMs + waitMs);
    const talkTime = wholeSecondsBetween(call.answeredAtMs, at);
    this.event('AgentComplete', 'agent,all', at,
      `${channelSnapshot(call.caller) + channelSnapshot(call.agentLeg!, 'Dest') + this.agentFields(queue, agentId)}HoldTime: ${holdTime}\r\nTalkTime: ${talkTime}\r\nReason: ${reason}\r\n`);
    const stats = this.queueStats.get(queue)!;
    stats.completed++;
    stats.talktime = Math.round((stats.talktime * 3 + talkTime) / 4);
    for (const member of this.members.get(agentId) ?? []) {
      if (member.queue !== queue) continue;
      member.callsTaken++;
      member.lastCall = Math.floor(at / 1000);
    }
    this.setMemberInCall(agentId, false, at);
  }

  private onCompleted(fact: Extract<SimFact, { type: 'CallCompleted' }>): void {
    const call = this.calls.get(fact.callId)!;
    const leg = call.agentLeg!;
    this.stopRecording(call, fact.at);
    this.agentComplete(call, fact.queue, fact.agentId, fact.waitMs, fact.releasedBy, fact.at);
    this.leaveBridge(call, leg, 1, fact.at);
    this.leaveBridge(call, call.caller, 0, fact.at);
    const [first, second] = fact.releasedBy === 'agent' ? [leg, call.caller] : [call.caller, leg];
    this.hangup(first, fact.at, 16, 'Normal Clearing');
    this.hangup(second, fact.at, 16, 'Normal Clearing');
    this.event('BridgeDestroy', 'call,all', fact.at, this.bridgeFields(call.bridgeId, 0));
    this.forgetCall(call);
  }

  private onLeftUnanswered(fact: Extract<SimFact, { type: 'CallLeftQueueUnanswered' }>): void {
    const call = this.calls.get(fact.callId)!;
    const { caller } = call;
    this.removeWaiting(call);
    this.queueStats.get(fact.queue)!.abandoned++;
    this.event('MusicOnHoldStop', 'call,all', fact.at, channelSnapshot(caller));
    // A queue timeout is also reported as QueueCallerAbandon (reference §3.7): only the live caller channel after it
    // (QUEUESTATUS=TIMEOUT, the dial plan going on, a late hangup) tells them apart.
    this.event('QueueCallerAbandon', 'agent,all', fact.at,
      `${channelSnapshot(caller)}Queue: ${fact.queue}\r\nPosition: ${fact.position}\r\nOriginalPosition: ${fact.originalPosition}\r\nHoldTime: ${wholeSecondsBetween(call.queuedAtMs, fact.at)}\r\n`);
    this.event('QueueCallerLeave', 'agent,all', fact.at, `${channelSnapshot(caller)}Queue: ${fact.queue}\r\nCount: ${fact.countAfter}\r\nPosition: ${fact.position}\r\n`);
    if (fact.reason === 'abandon') {
      this.hangup(caller, fact.at, 16, 'Normal Clearing');
      this.forgetCall(call);
      return;
    }
    this.event('VarSet', 'dialplan,all', fact.at, `${channelSnapshot(caller)}Variable: QUEUESTATUS\r\nValue: TIMEOUT\r\n`);
    caller.application = 'VoiceMail';
    caller.applicationData = `${fact.queue}@default,u`;
    touch(caller);
    this.event('Newexten', 'dialplan,all', fact.at, `${channelSnapshot(caller)}Extension: s\r\nApplication: VoiceMail\r\nAppData: ${caller.applicationData}\r\n`);
  }

  private onTimedOutCallEnded(callId: string, at: number): void {
    const call = this.calls.get(callId);
    if (call === undefined) return;
    this.hangup(call.caller, at, 16, 'Normal Clearing');
    this.forgetCall(call);
  }

  private hangup(channel: AmiChannel, at: number, cause: number, causeText: string): void {
    this.event('Hangup', 'call,all', at, `${channelSnapshot(channel)}Cause: ${cause}\r\nCause-txt: ${causeText}\r\n`);
    this.callByChannel.delete(channel.name);
  }

  private removeWaiting(call: CallChannels): void {
    const waiting = this.queueStats.get(call.queue)!.waiting;
    const index = waiting.indexOf(call);
    if (index >= 0) waiting.splice(index, 1);
  }

  private forgetCall(call: CallChannels): void {
    this.calls.delete(call.callId);
    this.callByChannel.delete(call.caller.name);
  }

  private updateQueueHoldtime(queue: string, holdTime: number, waitMs: number): void {
    const stats = this.queueStats.get(queue)!;
    stats.holdtime = Math.round((stats.holdtime * 3 + holdTime) / 4);
    const spec = this.scenario.queues.find((q) => q.name === queue)!;
    if (waitMs <= spec.serviceLevelSeconds * 1000) stats.completedInSl++;
  }

  // ───────────────────────────── queue members ─────────────────────────────

  private memberFields(m: MemberState, nameKey = 'MemberName', interfaceKey = 'Interface'): string {
    return (
      `Queue: ${m.queue}\r\n${nameKey}: Agent ${m.agentId}\r\n${interfaceKey}: PJSIP/${m.agentId}\r\nStateInterface: PJSIP/${m.agentId}\r\n` +
      `Membership: dynamic\r\nPenalty: ${m.penalty}\r\nCallsTaken: ${m.callsTaken}\r\nLastCall: ${m.lastCall}\r\nLastPause: ${m.lastPause}\r\n` +
      `LoginTime: ${m.loginTime}\r\nInCall: ${m.inCall}\r\nStatus: ${m.status}\r\nPaused: ${m.paused}\r\nPausedReason: ${m.pausedReason}\r\n`
    );
  }

  private onLogin(agentId: string, queues: readonly QueueMembership[], at: number): void {
    const loginTime = Math.floor(at / 1000);
    const states = queues.map((q) => ({
      queue: q.queue, agentId, penalty: q.penalty, callsTaken: 0, lastCall: 0, lastPause: 0, loginTime, inCall: 0, status: DEVICE_NOT_INUSE, paused: 0, pausedReason: '',
    }));
    this.members.set(agentId, states);
    for (const m of states) this.event('QueueMemberAdded', 'agent,all', at, `${this.memberFields(m)}Ringinuse: 0\r\nWrapuptime: 0\r\n`);
  }

  private onLogout(agentId: string, at: number): void {
    for (const m of this.members.get(agentId) ?? []) this.event('QueueMemberRemoved', 'agent,all', at, `${this.memberFields(m)}Ringinuse: 0\r\nWrapuptime: 0\r\n`);
    this.members.delete(agentId);
  }

  private onPause(agentId: string, paused: boolean, reason: string, at: number): void {
    for (const m of this.members.get(agentId) ?? []) {
      m.paused = paused ? 1 : 0;
      m.pausedReason = reason;
      if (paused) m.lastPause = Math.floor(at / 1000);
      this.event('QueueMemberPause', 'agent,all', at, `${this.memberFields(m)}Ringinuse: 0\r\nWrapuptime: 0\r\n`);
    }
  }

  private setMemberInCall(agentId: string, inCall: boolean, at: number): void {
    for (const m of this.members.get(agentId) ?? []) {
      m.inCall = inCall ? 1 : 0;
      m.status = inCall ? DEVICE_INUSE : DEVICE_NOT_INUSE;
      this.event('QueueMemberStatus', 'agent,all', at, `${this.memberFields(m)}Ringinuse: 0\r\nWrapuptime: 0\r\n`);
    }
  }

  // ───────────────────────────── resync lists (only to the asking session) ─────────────────────────────

  /** `Action: QueueStatus` items: per queue QueueParams, its QueueMember items, then QueueEntry items. */
  queueStatusItems(actionId: string, nowMs: number): string[] {
    const items: string[] = [];
    const id = `ActionID: ${actionId}\r\n`;
    for (const spec of this.scenario.queues) {
      const stats = this.queueStats.get(spec.name)!;
      const perf = stats.completed > 0 ? ((stats.completedInSl / stats.completed) * 100).toFixed(1) : '0.0';
      const answeredOrAbandoned = stats.completed + stats.abandoned;
      const perf2 = answeredOrAbandoned > 0 ? ((stats.completedInSl / answeredOrAbandoned) * 100).toFixed(1) : '0.0';
      items.push(
        `Event: QueueParams\r\nQueue: ${spec.name}\r\nMax: 0\r\nStrategy: ${spec.strategy}\r\nCalls: ${stats.waiting.length}\r\nHoldtime: ${stats.holdtime}\r\n` +
          `TalkTime: ${stats.talktime}\r\nCompleted: ${stats.completed}\r\nAbandoned: ${stats.abandoned}\r\nServiceLevel: ${spec.serviceLevelSeconds}\r\n` +
          `ServiceLevelPerf: ${perf}\r\nServiceLevelPerf2: ${perf2}\r\nWeight: ${spec.weight ?? 0}\r\n${id}\r\n`,
      );
      for (const states of this.members.values()) {
        for (const m of states) if (m.queue === spec.name) items.push(`Event: QueueMember\r\n${this.memberFields(m, 'Name', 'Location')}Wrapuptime: 0\r\n${id}\r\n`);
      }
      stats.waiting.forEach((call, index) => {
        items.push(
          `Event: QueueEntry\r\nQueue: ${spec.name}\r\nPosition: ${index + 1}\r\nChannel: ${call.caller.name}\r\nUniqueid: ${call.caller.uniqueid}\r\n` +
            `CallerIDNum: ${call.caller.callerNum}\r\nCallerIDName: ${call.caller.callerName}\r\nConnectedLineNum: ${call.caller.connectedNum}\r\n` +
            `ConnectedLineName: ${call.caller.connectedName}\r\nWait: ${wholeSecondsBetween(call.queuedAtMs, nowMs)}\r\nPriority: 0\r\n${id}\r\n`,
        );
      });
    }
    return items;
  }

  private liveChannels(): AmiChannel[] {
    const channels: AmiChannel[] = [];
    for (const call of this.calls.values()) {
      channels.push(call.caller);
      if (call.agentLeg) channels.push(call.agentLeg);
      if (call.extraLeg) channels.push(call.extraLeg);
    }
    return channels;
  }

  coreShowChannelItems(actionId: string, nowMs: number): string[] {
    return this.liveChannels().map(
      (c) =>
        `Event: CoreShowChannel\r\nActionID: ${actionId}\r\n${channelSnapshot(c)}BridgeId: ${c.bridgeId}\r\nApplication: ${c.application}\r\n` +
        `ApplicationData: ${c.applicationData}\r\nDuration: ${formatDuration(nowMs - c.createdAtMs)}\r\n\r\n`,
    );
  }

  statusItems(actionId: string, nowMs: number): string[] {
    return this.liveChannels().map(
      (c) =>
        `Event: Status\r\nPrivilege: Call\r\n${channelSnapshot(c)}Type: PJSIP\r\nDNID: \r\nEffectiveConnectedLineNum: ${c.connectedNum}\r\n` +
        `EffectiveConnectedLineName: ${c.connectedName}\r\nTimeToHangup: 0\r\nBridgeID: ${c.bridgeId}\r\nApplication: ${c.application}\r\n` +
        `Data: ${c.applicationData}\r\nNativeformats: (ulaw)\r\nReadformat: ulaw\r\nReadtrans: \r\nWriteformat: ulaw\r\nWritetrans: \r\n` +
        `Callgroup: 0\r\nPickupgroup: 0\r\nSeconds: ${Math.floor((nowMs - c.createdAtMs) / 1000)}\r\nActionID: ${actionId}\r\n\r\n`,
    );
  }
}
