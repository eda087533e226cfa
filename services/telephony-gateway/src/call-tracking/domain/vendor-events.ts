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
};
export type CallerAbandonedQueue = OnCall & { readonly type: 'CallerAbandonedQueue'; readonly queue: string; readonly position: number; readonly originalPosition: number };
export type AgentOffered = OnCall & OnMember & { readonly type: 'AgentOffered' };
export type AgentRangNoAnswer = OnCall & OnMember & { readonly type: 'AgentRangNoAnswer'; readonly ringMs: number };
export type AgentAnswered = OnCall & OnMember & { readonly type: 'AgentAnswered'; readonly ringSeconds: number };
/** `callKey` is null when the PBX left the caller fields out (Asterisk Redirect quirk). */
export type AgentCallCompleted = At & Omit<OnMember, 'at'> & {
  readonly type: 'AgentCallCompleted';
  readonly callKey: string | null;
  readonly reason: 'caller' | 'agent' | 'transfer' | 'other';
};
export type CallHoldChanged = OnCall & { readonly type: 'CallHoldChanged'; readonly held: boolean };
export type CallTransferStarted = OnCall & { readonly type: 'CallTransferStarted'; readonly kind: 'blind' | 'attended'; readonly target: string };
export type ConferenceJoined = OnCall & { readonly type: 'ConferenceJoined'; readonly participants: number; readonly party: string };
export type ChannelHungUp = OnCall & { readonly type: 'ChannelHungUp'; readonly callerLeg: boolean };
/** Raised by the agent decider when after-call work ends; routed back to the call. */
export type WrapUpEnded = OnCall & { readonly type: 'WrapUpEnded'; readonly agentId: string; readonly acwMs: number };

export type MemberAdded = OnMember & { readonly type: 'MemberAdded'; readonly paused: boolean; readonly reason: string };
export type MemberRemoved = OnMember & { readonly type: 'MemberRemoved' };
export type MemberPauseChanged = OnMember & { readonly type: 'MemberPauseChanged'; readonly paused: boolean; readonly reason: string };

export type CallVendorEvent =
  | CallerJoinedQueue | CallerAbandonedQueue | AgentOffered | AgentRangNoAnswer | AgentAnswered | AgentCallCompleted
  | CallHoldChanged | CallTransferStarted | ConferenceJoined | ChannelHungUp | WrapUpEnded;
export type AgentVendorEvent =
  | MemberAdded | MemberRemoved | MemberPauseChanged | AgentRangNoAnswer | AgentAnswered | AgentCallCompleted;
export type VendorEvent = CallVendorEvent | MemberAdded | MemberRemoved | MemberPauseChanged;

const AGENT_TYPES = new Set<string>(['MemberAdded', 'MemberRemoved', 'MemberPauseChanged', 'AgentRangNoAnswer', 'AgentAnswered', 'AgentCallCompleted']);
const MEMBER_ONLY = new Set<string>(['MemberAdded', 'MemberRemoved', 'MemberPauseChanged']);

export const isAgentEvent = (e: VendorEvent): e is AgentVendorEvent => AGENT_TYPES.has(e.type);
export const isCallEvent = (e: VendorEvent): e is CallVendorEvent => !MEMBER_ONLY.has(e.type);
