import { agentIdOfInterface } from '../../ami/domain/ami-vendor-events';

/** What the gateway needs from routing's `CallAssignedToAgent` (key/subject: the canonical call id). */
export interface Assignment {
  readonly eventId: string;
  /** `<pbxLinkId>:<Linkedid>`, as the gateway published it on CallQueued. */
  readonly callId: string;
  readonly agentId: string;
  readonly queueId: string;
  readonly waitSeconds: number;
}

/** What the gateway knows locally about the call and the agent (its own tables). */
export interface AssignmentTarget {
  /** Caller channel from QueueCallerJoin (`PJSIP/trunk-0000001a`), null when the gateway never saw the call queue. */
  readonly callerChannel: string | null;
  /** Member interface of the agent (`PJSIP/1002`, `Local/1007@agents/n`), null when the agent is not logged in. */
  readonly agentInterface: string | null;
}

export type AmiAction = readonly (readonly [string, string])[];

export type AssignmentPlan =
  /** The call belongs to another gateway's PBX link: not ours to execute or record. */
  | { readonly kind: 'not-ours' }
  | { readonly kind: 'redirect'; readonly pbxLinkId: string; readonly action: AmiAction; readonly extension: string }
  | { readonly kind: 'reject'; readonly pbxLinkId: string; readonly reason: string };

/** The PBX link a canonical call id belongs to (the longest matching `<pbxLinkId>:` prefix). */
export function linkOfCall(callId: string, pbxLinkIds: readonly string[]): string | undefined {
  return pbxLinkIds.filter((id) => callId.startsWith(`${id}:`) && callId.length > id.length + 1).sort((a, b) => b.length - a.length)[0];
}

/** Dial-plan extension of an agent: the member interface's resource (`PJSIP/1002` → `1002`), else the agent id. */
export function extensionOfAgent(agentId: string, agentInterface: string | null): string {
  return agentInterface === null ? agentId : agentIdOfInterface(agentInterface);
}

/** `Redirect` of the caller channel into the agents' context at the agent's extension (Asterisk `Redirect` action). */
export function redirectAction(channel: string, extension: string, context: string): AmiAction {
  return [['Action', 'Redirect'], ['Channel', channel], ['Exten', extension], ['Context', context], ['Priority', '1']];
}

/** A link of this gateway and the dial-plan context of its agents' extensions. */
export interface ExecutingLink { readonly pbxLinkId: string; readonly context: string }

/** Assignment + local knowledge → the AMI action to send, or why it cannot be carried out. */
export function planAssignment(a: Assignment, links: readonly ExecutingLink[], target: AssignmentTarget): AssignmentPlan {
  const pbxLinkId = linkOfCall(a.callId, links.map((l) => l.pbxLinkId));
  if (pbxLinkId === undefined) return { kind: 'not-ours' };
  const context = links.find((l) => l.pbxLinkId === pbxLinkId)!.context;
  if (target.callerChannel === null) return { kind: 'reject', pbxLinkId, reason: 'unknown call: no caller channel recorded' };
  const extension = extensionOfAgent(a.agentId, target.agentInterface);
  return { kind: 'redirect', pbxLinkId, extension, action: redirectAction(target.callerChannel, extension, context) };
}

export type ExecutionOutcome = { readonly status: 'executed' } | { readonly status: 'failed'; readonly reason: string };

/** The PBX's answer to the action: `Response: Success`, else the `Message` (e.g. `No such channel`). */
export function outcomeOfResponse(response: string | undefined, message: string | undefined): ExecutionOutcome {
  if (response?.toLowerCase() === 'success') return { status: 'executed' };
  return { status: 'failed', reason: `PBX: ${message ?? response ?? 'no response'}`.slice(0, 512) };
}
