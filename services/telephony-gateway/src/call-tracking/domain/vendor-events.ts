/**
 * What a PBX said, normalised across vendors but not yet interpreted. Adapters (AMI, event socket, webhook) produce
 * these; the call and agent deciders turn them into canonical events. `at` is the PBX time in epoch milliseconds;
 * `callKey` is the vendor's call identity (Asterisk Linkedid), `agentId` the member behind an interface.
 */
interface At { readonly at: number }
interface OnCall extends At { readonly callKey: string }
/** `queue` is '' when the PBX's agent state is not per queue (FreeSWITCH): MemberRemoved with '' logs off every queue. */
interface OnMember extends At { readonly agentId: string; readonly extension: string; readonly queue: string }

export type CallerJoinedQueue = OnCall & {
  readonly type: 'CallerJoinedQueue';
  readonly queue: string;
  readonly position: number;
  readonly count: number;
  /** Clear number, null when withheld (`<unknown>`). */
  readonly callerNumber: string | null;
  readonly dialedNumber: string | null;
  /** The caller's channel, to act on the call (AMI `Channel`; FreeSWITCH the member's session UUID). */
  readonly channel?: string;
  /** A valid customer tier from SWITCHBOARD_CALLER_TIER (RT-11); absent when none or an invalid one was set. */
  readonly callerTier?: string;
};
/** QueueCallerLeave: the caller left the queue, answered (AgentConnect follows) or not (abandon or timeout). */
export type CallerLeftQueue = OnCall & { readonly type: 'CallerLeftQueue'; readonly queue: string; readonly position: number };
/** The dial plan learnt why the queue let the caller go (Asterisk `QUEUESTATUS`: TIMEOUT, LEAVEEMPTY, …). */
export type QueueExited = OnCall & { readonly type: 'QueueExited'; readonly status: string };
/** The PBX said outright that the queue gave up on the caller (mod_callcenter `CC-Cancel-Reason: TIMEOUT`). */
export type QueueTimedOut = OnCall & { readonly type: 'QueueTimedOut'; readonly queue: string; readonly position: number; readonly originalPosition: number };
/**
 * The caller left the queue unanswered. `final`: the PBX says the caller gave up (mod_callcenter); absent (Asterisk,
 * whose QueueCallerAbandon also reports queue timeouts) the caller's hang-up or the dial plan going on decides.
 */
export type CallerAbandonedQueue = OnCall & {
  readonly type: 'CallerAbandonedQueue'; readonly queue: string; readonly position: number; readonly originalPosition: number; readonly final?: boolean;
};
export type AgentOffered = OnCall & OnMember & { readonly type: 'AgentOffered' };
export type AgentRangNoAnswer = OnCall & OnMember & { readonly type: 'AgentRangNoAnswer'; readonly ringMs: number };
export type AgentAnswered = OnCall & OnMember & { readonly type: 'AgentAnswered'; readonly ringSeconds: number };
/** `callKey` is null when the PBX left the caller fields out (Asterisk Redirect quirk). */
export type AgentCallCompleted = At & Omit<OnMember, 'at'> & {
  readonly type: 'AgentCallCompleted';
  readonly callKey: string | null;
  readonly reason: 'caller' | 'agent' | 'transfer' | 'other';
  /** The PBX's hang-up cause when it gives one instead of the releasing party (FreeSWITCH `CC-Hangup-Cause`). */
  readonly hangupCause?: string;
  /** Inferred by a resync: the call was gone when the gateway came back; how it ended was not seen. */
  readonly inferredByResync?: boolean;
};
export type CallHoldChanged = OnCall & { readonly type: 'CallHoldChanged'; readonly held: boolean };
export type CallTransferStarted = OnCall & { readonly type: 'CallTransferStarted'; readonly kind: 'blind' | 'attended'; readonly target: string };
export type ConferenceJoined = OnCall & { readonly type: 'ConferenceJoined'; readonly participants: number; readonly party: string };
export type ChannelHungUp = OnCall & { readonly type: 'ChannelHungUp'; readonly callerLeg: boolean };
/** Raised by the agent decider when after-call work ends; routed back to the call. */
export type WrapUpEnded = OnCall & { readonly type: 'WrapUpEnded'; readonly agentId: string; readonly acwMs: number };

/**
 * A recording of the call stopped on `channel` (Asterisk MixMonitorStop, FreeSWITCH RECORD_STOP). The file is read
 * outside the domain; until RecordingStored or RecordingUnavailable follows, the call waits for it.
 */
export type RecordingStopped = OnCall & {
  readonly type: 'RecordingStopped';
  readonly channel: string;
  /**
   * The file as the PBX named it (null: it never said) and its length as the PBX reported it: kept with the pending
   * recording in the call's state, so a gateway restarted before the file was read reads it then. Absent when the
   * adapter did not know them with the event.
   */
  readonly file?: string | null;
  readonly reportedSeconds?: number | null;
};
/** The stopped recording's file was read: its hash and length as the gateway measured them. */
export type RecordingStored = OnCall & {
  readonly type: 'RecordingStored';
  readonly channel: string;
  readonly recordingId: string;
  readonly storageUri: string;
  readonly sha256: string;
  readonly mediaType: string;
  readonly durationSeconds: number;
};
/** The stopped recording's file could not be read in time (missing, unreadable, never finished): nothing is published. */
export type RecordingUnavailable = OnCall & { readonly type: 'RecordingUnavailable'; readonly channel: string; readonly reason: string };

export type AssignmentOutcome =
  | { readonly status: 'executed'; readonly action: 'redirect' | 'bridge' | 'esl-transfer'; readonly queuedToExecutedMs: number }
  | { readonly status: 'failed'; readonly failure: AssignmentFailure; readonly reason: string };
export type AssignmentFailure = 'pbx-refused' | 'unknown-call' | 'call-not-waiting' | 'agent-not-logged-in' | 'link-down' | 'timeout' | 'outcome-unknown';
/** The gateway carried out (or failed to carry out) routing's assignment of this call: numbered in the call's sequence. */
export type AssignmentSettled = OnCall & {
  readonly type: 'AssignmentSettled';
  readonly assignmentEventId: string;
  readonly agentId: string;
  readonly outcome: AssignmentOutcome;
};

export type MemberAdded = OnMember & { readonly type: 'MemberAdded'; readonly paused: boolean; readonly reason: string };
export type MemberRemoved = OnMember & { readonly type: 'MemberRemoved' };
export type MemberPauseChanged = OnMember & { readonly type: 'MemberPauseChanged'; readonly paused: boolean; readonly reason: string };

export type CallVendorEvent =
  | CallerJoinedQueue | CallerAbandonedQueue | CallerLeftQueue | QueueExited | QueueTimedOut | AgentOffered | AgentRangNoAnswer
  | AgentAnswered | AgentCallCompleted | AssignmentSettled | CallHoldChanged | CallTransferStarted | ConferenceJoined | ChannelHungUp | WrapUpEnded
  | RecordingStopped | RecordingStored | RecordingUnavailable;
export type AgentVendorEvent =
  | MemberAdded | MemberRemoved | MemberPauseChanged | AgentRangNoAnswer | AgentAnswered | AgentCallCompleted;
export type VendorEvent = CallVendorEvent | MemberAdded | MemberRemoved | MemberPauseChanged;

const AGENT_TYPES = new Set<string>(['MemberAdded', 'MemberRemoved', 'MemberPauseChanged', 'AgentRangNoAnswer', 'AgentAnswered', 'AgentCallCompleted']);
const MEMBER_ONLY = new Set<string>(['MemberAdded', 'MemberRemoved', 'MemberPauseChanged']);

export const isAgentEvent = (e: VendorEvent): e is AgentVendorEvent => AGENT_TYPES.has(e.type);
export const isCallEvent = (e: VendorEvent): e is CallVendorEvent => !MEMBER_ONLY.has(e.type);
