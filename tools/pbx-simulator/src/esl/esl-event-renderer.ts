import type { Scenario } from '../domain/scenario';
import type { SimFact } from '../domain/sim-facts';
import { renderPlainEvent } from './esl-message';
import { recordingSpec } from '../domain/recordings';

interface MemberSession {
  readonly memberUuid: string;
  readonly sessionUuid: string;
  readonly callerNumber: string;
  /** Channel variables mod_callcenter copies onto the member's events (`variable_<name>`). */
  readonly variables: readonly (readonly [string, string])[];
  joinedAt: number;
  agentUuid: string;
  calledAt: number;
  answeredAt: number;
}

interface AgentRow {
  status: string;
  state: string;
  lastStatusChange: number;
  lastOffered: number;
  lastBridgeStart: number;
  lastBridgeEnd: number;
  callsAnswered: number;
  noAnswerCount: number;
  talkTime: number;
}

const CORE_UUID = '5b1c4a6e-2f0d-4c1b-9f53-7d6e0a1b2c3d';
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const seconds = (ms: number): string => String(Math.floor(ms / 1000));

/** Turns simulation facts into mod_callcenter `CUSTOM callcenter::info` events (telephony-reference §4.2). */
export class EslEventRenderer {
  private readonly members = new Map<string, MemberSession>();
  /** Caller session UUID → simulated call id (for `uuid_transfer`); a session keeps its UUID across queue visits. */
  private readonly callOfSession = new Map<string, string>();
  private readonly sessionOfCall = new Map<string, string>();
  private readonly agents = new Map<string, AgentRow>();
  /** Each agent's tiers (queue memberships); mod_callcenter keeps them when the agent logs out. */
  private readonly tiers = new Map<string, { queue: string; level: number }[]>();
  private sequence = 0;
  private uuidCounter = 0;
  private out = '';

  /** `recordingsDirectory`: where record_session writes (Record-File-Path); null = calls are not recorded. */
  constructor(private readonly scenario: Scenario, private readonly recordingsDirectory: string | null = null) {}

  render(facts: readonly SimFact[]): string {
    this.out = '';
    for (const fact of facts) this.renderFact(fact);
    return this.out;
  }

  private uuid(): string {
    const n = ++this.uuidCounter;
    const hex = (v: number, width: number): string => (v >>> 0).toString(16).padStart(width, '0').slice(-width);
    return `${hex(Math.imul(n, 2654435761), 8)}-${hex(n >>> 16, 4)}-4${hex(n, 3)}-a${hex(Math.imul(n, 40503), 3)}-${hex(n, 12)}`;
  }

  private emit(at: number, action: string, fields: ReadonlyArray<readonly [string, string]>): void {
    this.emitEvent(at, [['Event-Name', 'CUSTOM']], [['Event-Subclass', 'callcenter::info'], ['CC-Action', action], ...fields]);
  }

  private emitEvent(at: number, name: ReadonlyArray<readonly [string, string]>, fields: ReadonlyArray<readonly [string, string]>): void {
    const date = new Date(at);
    const pad = (v: number): string => String(v).padStart(2, '0');
    const local = `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`;
    const gmt = `${DAYS[date.getUTCDay()]}, ${pad(date.getUTCDate())} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()} ${local.slice(11)} GMT`;
    this.out += renderPlainEvent([
      ...name, ['Core-UUID', CORE_UUID], ['FreeSWITCH-Hostname', 'pbx-simulator'], ['FreeSWITCH-Switchname', 'pbx-simulator'],
      ['FreeSWITCH-IPv4', '127.0.0.1'], ['FreeSWITCH-IPv6', '::1'], ['Event-Date-Local', local], ['Event-Date-GMT', gmt],
      ['Event-Date-Timestamp', `${at}000`], ['Event-Calling-File', 'mod_callcenter.c'], ['Event-Calling-Function', 'cc_event'],
      ['Event-Calling-Line-Number', '0'], ['Event-Sequence', String(++this.sequence)], ...fields,
    ]);
  }

  private agentName(agentId: string): string {
    return `${agentId}@default`;
  }

  private queueName(queue: string): string {
    return `${queue}@default`;
  }

  private setAgent(agentId: string, at: number, change: Partial<AgentRow>): void {
    const row = this.agents.get(agentId) ?? {
      status: 'Logged Out', state: 'Waiting', lastStatusChange: 0, lastOffered: 0, lastBridgeStart: 0, lastBridgeEnd: 0, callsAnswered: 0, noAnswerCount: 0, talkTime: 0,
    };
    if (change.status !== undefined && change.status !== row.status) {
      this.emit(at, 'agent-status-change', [['CC-Agent', this.agentName(agentId)], ['CC-Agent-Status', change.status]]);
      row.lastStatusChange = Math.floor(at / 1000);
    }
    if (change.state !== undefined && change.state !== row.state) {
      this.emit(at, 'agent-state-change', [['CC-Agent', this.agentName(agentId)], ['CC-Agent-State', change.state]]);
    }
    this.agents.set(agentId, { ...row, ...change, lastStatusChange: row.lastStatusChange });
  }

  private memberFields(queue: string, m: MemberSession): [string, string][] {
    return [
      ['CC-Queue', this.queueName(queue)], ['CC-Member-UUID', m.memberUuid], ['CC-Member-Session-UUID', m.sessionUuid],
      ['CC-Member-CID-Name', m.callerNumber], ['CC-Member-CID-Number', m.callerNumber],
    ];
  }

  private renderFact(fact: SimFact): void {
    if (this.callerHangsUp(fact)) this.forgetSession(fact.callId);
    switch (fact.type) {
      case 'AgentLoggedIn':
        this.tiers.set(fact.agentId, fact.queues.map((q) => ({ queue: q.queue, level: q.penalty + 1 })));
        return this.setAgent(fact.agentId, fact.at, { status: 'Available', state: 'Waiting' });
      case 'AgentLoggedOut':
        return this.setAgent(fact.agentId, fact.at, { status: 'Logged Out' });
      case 'AgentPaused':
        return this.setAgent(fact.agentId, fact.at, { status: 'On Break' });
      case 'AgentUnpaused':
        return this.setAgent(fact.agentId, fact.at, { status: 'Available' });
      case 'AfterCallWorkStarted':
        return this.setAgent(fact.agentId, fact.at, { state: 'Idle' });
      case 'AfterCallWorkEnded':
        return this.setAgent(fact.agentId, fact.at, { state: 'Waiting' });
      case 'CallArrived':
        this.members.set(fact.callId, {
          memberUuid: '', sessionUuid: this.uuid(), callerNumber: fact.callerNumber, joinedAt: fact.at, agentUuid: '', calledAt: 0, answeredAt: 0,
          variables: fact.callerTier === null ? [] : [['variable_SWITCHBOARD_CALLER_TIER', fact.callerTier]],
        });
        this.callOfSession.set(this.members.get(fact.callId)!.sessionUuid, fact.callId);
        this.sessionOfCall.set(fact.callId, this.members.get(fact.callId)!.sessionUuid);
        return;
      case 'CallQueued': {
        const previous = this.members.get(fact.callId)!;
        const m = { ...previous, memberUuid: this.uuid(), joinedAt: fact.at };
        this.members.set(fact.callId, m);
        return this.emit(fact.at, 'member-queue-start', [...this.memberFields(fact.queue, m), ...m.variables]);
      }
      case 'AgentRingStarted':
        return this.onOffering(fact.callId, fact.queue, fact.agentId, fact.at);
      case 'AgentRingEnded':
        return this.onBridgeFail(fact.callId, fact.queue, fact.agentId, fact.result, fact.at);
      case 'CallAnswered':
        this.onBridgeStart(fact.callId, fact.queue, fact.agentId, fact.at);
        return this.record('RECORD_START', fact.callId, fact.queue, fact.contactId, fact.at);
      case 'CallCompleted':
      case 'CallTransferred':
        this.record('RECORD_STOP', fact.callId, fact.queue, fact.contactId, fact.at);
        return this.onBridgeEnd(fact.callId, fact.queue, fact.agentId, fact.at);
      case 'CallLeftQueueUnanswered': {
        const m = this.members.get(fact.callId)!;
        this.emit(fact.at, 'member-queue-end', [
          ...this.memberFields(fact.queue, m), ['CC-Member-Joined-Time', seconds(m.joinedAt)], ['CC-Member-Leaving-Time', seconds(fact.at)],
          ['CC-Cause', 'Cancel'], ['CC-Cancel-Reason', fact.reason === 'timeout' ? 'TIMEOUT' : 'NONE'],
        ]);
        this.members.delete(fact.callId);
        return;
      }
      default:
        return;
    }
  }

  /** record_session on the caller's session (execute_on_answer): RECORD_START / RECORD_STOP with the channel's variables. */
  private record(name: 'RECORD_START' | 'RECORD_STOP', callId: string, queue: string, contactId: string, at: number): void {
    const m = this.members.get(callId);
    if (this.recordingsDirectory === null || m === undefined) return;
    const spec = recordingSpec(queue, contactId, m.answeredAt, at);
    const stop: [string, string][] = name === 'RECORD_STOP' ? [['variable_record_ms', String(at - m.answeredAt)], ['variable_record_seconds', String(Math.floor((at - m.answeredAt) / 1000))]] : [];
    this.emitEvent(at, [['Event-Name', name]], [
      ['Unique-ID', m.sessionUuid], ['Channel-Call-UUID', m.sessionUuid], ['Caller-Caller-ID-Number', m.callerNumber],
      ['Record-File-Path', `${this.recordingsDirectory}/${spec.fileName}`], ['variable_cc_member_uuid', m.memberUuid], ['variable_cc_queue', this.queueName(queue)], ...stop,
    ]);
  }

  private agentCallFields(agentId: string): [string, string][] {
    return [['CC-Agent', this.agentName(agentId)], ['CC-Agent-Type', 'callback'], ['CC-Agent-System', 'single_box']];
  }

  private onOffering(callId: string, queue: string, agentId: string, at: number): void {
    const m = this.members.get(callId)!;
    m.agentUuid = this.uuid();
    m.calledAt = at;
    this.setAgent(agentId, at, { state: 'Receiving', lastOffered: Math.floor(at / 1000) });
    this.emit(at, 'agent-offering', [...this.memberFields(queue, m).slice(0, 1), ...this.agentCallFields(agentId), ...this.memberFields(queue, m).slice(1), ['CC-Member-DNIS', queue]]);
  }

  private onBridgeFail(callId: string, queue: string, agentId: string, result: 'no-answer' | 'canceled', at: number): void {
    const m = this.members.get(callId)!;
    this.emit(at, 'bridge-agent-fail', [
      ['CC-Queue', this.queueName(queue)], ...this.agentCallFields(agentId), ['CC-Hangup-Cause', result === 'no-answer' ? 'NO_ANSWER' : 'ORIGINATOR_CANCEL'],
      ['CC-Agent-Called-Time', seconds(m.calledAt)], ['CC-Agent-Aborted-Time', seconds(at)], ['CC-Member-Joined-Time', seconds(m.joinedAt)],
      ...this.memberFields(queue, m).slice(1),
    ]);
    const row = this.agents.get(agentId);
    if (row && result === 'no-answer') row.noAnswerCount++;
    this.setAgent(agentId, at, { state: 'Waiting' });
  }

  private onBridgeStart(callId: string, queue: string, agentId: string, at: number): void {
    const m = this.members.get(callId)!;
    m.answeredAt = at;
    this.setAgent(agentId, at, { state: 'In a queue call', lastBridgeStart: Math.floor(at / 1000) });
    this.emit(at, 'bridge-agent-start', [
      ['CC-Queue', this.queueName(queue)], ...this.agentCallFields(agentId), ['CC-Agent-UUID', m.agentUuid], ['CC-Agent-Called-Time', seconds(m.calledAt)],
      ['CC-Agent-Answered-Time', seconds(at)], ['CC-Member-Joined-Time', seconds(m.joinedAt)], ...this.memberFields(queue, m).slice(1),
    ]);
  }

  private onBridgeEnd(callId: string, queue: string, agentId: string, at: number): void {
    const m = this.members.get(callId)!;
    this.emit(at, 'bridge-agent-end', [
      ['CC-Queue', this.queueName(queue)], ...this.agentCallFields(agentId), ['CC-Hangup-Cause', 'NORMAL_CLEARING'], ['CC-Agent-UUID', m.agentUuid],
      ['CC-Agent-Called-Time', seconds(m.calledAt)], ['CC-Agent-Answered-Time', seconds(m.answeredAt)], ['CC-Member-Joined-Time', seconds(m.joinedAt)],
      ['CC-Bridge-Terminated-Time', seconds(at)], ...this.memberFields(queue, m).slice(1),
    ]);
    this.emit(at, 'member-queue-end', [
      ...this.memberFields(queue, m), ['CC-Agent', this.agentName(agentId)], ['CC-Agent-UUID', m.agentUuid], ['CC-Agent-Called-Time', seconds(m.calledAt)],
      ['CC-Agent-Answered-Time', seconds(m.answeredAt)], ['CC-Member-Joined-Time', seconds(m.joinedAt)], ['CC-Member-Leaving-Time', seconds(at)],
      ['CC-Cause', 'Terminated'],
    ]);
    const row = this.agents.get(agentId);
    if (row) {
      row.callsAnswered++;
      row.talkTime += Math.floor((at - m.answeredAt) / 1000);
      row.lastBridgeEnd = Math.floor(at / 1000);
    }
  }

  private callerHangsUp(fact: SimFact): fact is SimFact & { callId: string } {
    return fact.type === 'CallCompleted' || fact.type === 'TransferredCallEnded' || fact.type === 'TimedOutCallEnded'
      || (fact.type === 'CallLeftQueueUnanswered' && fact.reason === 'abandon');
  }

  private forgetSession(callId: string): void {
    const session = this.sessionOfCall.get(callId);
    if (session !== undefined) this.callOfSession.delete(session);
    this.sessionOfCall.delete(callId);
  }

  /** The simulated call behind a caller session UUID (`CC-Member-Session-UUID`), while its caller is on the line. */
  callIdOfSession(sessionUuid: string): string | undefined {
    return this.callOfSession.get(sessionUuid);
  }

  /** `api callcenter_config agent list`: pipe-separated rows, the resync source of an event-socket client. */
  agentListing(): string {
    const header = 'name|instance_id|uuid|type|contact|status|state|max_no_answer|wrap_up_time|reject_delay_time|busy_delay_time|no_answer_delay_time|last_bridge_start|last_bridge_end|last_offered_call|last_status_change|no_answer_count|calls_answered|talk_time|ready_time|external_calls_count';
    const rows = [...this.agents.entries()].map(([id, a]) =>
      [this.agentName(id), 'single_box', '', 'callback', `user/${id}`, a.status, a.state, '3', '0', '10', '10', '0', a.lastBridgeStart, a.lastBridgeEnd, a.lastOffered, a.lastStatusChange, a.noAnswerCount, a.callsAnswered, a.talkTime, '0', '0'].join('|'),
    );
    return [header, ...rows, '+OK', ''].join('\n');
  }

  /** `callcenter_config tier list`: one row per agent and queue, tier level = penalty + 1. */
  tierListing(): string {
    const rows = [...this.tiers].flatMap(([id, tiers]) => tiers.map((t) => [this.queueName(t.queue), this.agentName(id), 'Ready', String(t.level), '1'].join('|')));
    return ['queue|agent|state|level|position', ...rows, '+OK', ''].join('\n');
  }

  queueNames(): string[] {
    return this.scenario.queues.map((q) => this.queueName(q.name));
  }
}
