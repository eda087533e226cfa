import { agentIdOfInterface } from '../../ami/domain/ami-vendor-events';
import type { AssignmentFailure } from '../../call-tracking/domain/vendor-events';

/** What the gateway needs from routing's `CallAssignedToAgent` (key/subject: the canonical call id). */
export interface Assignment {
  readonly eventId: string;
  /** `<pbxLinkId>:<Linkedid>`, as the gateway published it on CallQueued. */
  readonly callId: string;
  readonly agentId: string;
  readonly queueId: string;
  readonly waitSeconds: number;
  /** The decision's correlation id, carried on to the outcome event (absent: the assignment's own id). */
  readonly correlationId?: string;
}

/** What the gateway knows locally about the call and the agent (its own tables). */
export interface AssignmentTarget {
  /**
   * Caller channel from QueueCallerJoin (`PJSIP/trunk-0000001a`; on FreeSWITCH the caller's session UUID), null when
   * the gateway never saw the call queue.
   */
  readonly callerChannel: string | null;
  /** The call's tracked status (`queued`, `connected`, `ended`), null when the gateway does not track it (any more). */
  readonly callStatus?: string | null;
  /** Member interface of the agent (`PJSIP/1002`, `Local/1007@agents/n`), null when the agent is not logged in. */
  readonly agentInterface: string | null;
}

export type AmiAction = readonly (readonly [string, string])[];

export type AssignmentPlan =
  /** The call belongs to another gateway's PBX link: not ours to execute or record. */
  | { readonly kind: 'not-ours' }
  | { readonly kind: 'redirect'; readonly protocol: 'ami'; readonly pbxLinkId: string; readonly action: AmiAction; readonly extension: string }
  /** FreeSWITCH: an event-socket API command (`uuid_transfer …`), answered `+OK …` or `-ERR …`. */
  | { readonly kind: 'redirect'; readonly protocol: 'esl'; readonly pbxLinkId: string; readonly command: string; readonly extension: string }
  | { readonly kind: 'reject'; readonly pbxLinkId: string; readonly failure: AssignmentFailure; readonly reason: string };

/** The PBX link a canonical call id belongs to (the longest matching `<pbxLinkId>:` prefix). */
export function linkOfCall(callId: string, pbxLinkIds: readonly string[]): string | undefined {
  return linksMatchingCall(callId, pbxLinkIds)[0];
}

/** Every link whose `<pbxLinkId>:` prefixes the call id, longest first (several only when one id prefixes another). */
export function linksMatchingCall(callId: string, pbxLinkIds: readonly string[]): string[] {
  return pbxLinkIds.filter((id) => callId.startsWith(`${id}:`) && callId.length > id.length + 1).sort((a, b) => b.length - a.length);
}

/**
 * The link that owns a call, among all links the gateway is configured with (whichever replica holds them): the one
 * whose call state tracks the call (`trackedOn`), else the longest matching id. Only ids where one prefixes another
 * (`pbx`, `pbx:a`) make a call id ambiguous (`pbx:a:1` is call `a:1` of `pbx` or call `1` of `pbx:a`); the state decides
 * then. Every link's consumer reaches the same answer, so exactly one claims the assignment.
 */
export function ownerOfCall(callId: string, configuredLinkIds: readonly string[], trackedOn: readonly string[] = []): string | undefined {
  const candidates = linksMatchingCall(callId, configuredLinkIds);
  return candidates.find((id) => trackedOn.includes(id)) ?? candidates[0];
}

/** Dial-plan extension of an agent: the member interface's resource (`PJSIP/1002` → `1002`), else the agent id. */
export function extensionOfAgent(agentId: string, agentInterface: string | null): string {
  return agentInterface === null ? agentId : agentIdOfInterface(agentInterface);
}

/** `Redirect` of the caller channel into the agents' context at the agent's extension (Asterisk `Redirect` action). */
export function redirectAction(channel: string, extension: string, context: string): AmiAction {
  return [['Action', 'Redirect'], ['Channel', channel], ['Exten', extension], ['Context', context], ['Priority', '1']];
}

/**
 * FreeSWITCH: move the caller's session out of the mod_callcenter queue to the agent's extension in the dial plan
 * (`api uuid_transfer <uuid> <extension> XML <context>`), the event-socket counterpart of AMI `Redirect`.
 */
export function eslTransferCommand(sessionUuid: string, extension: string, context: string): string {
  if (!/^[0-9a-zA-Z-]{1,64}$/.test(sessionUuid)) throw new Error(`callerChannel: not a FreeSWITCH session UUID: "${sessionUuid}"`);
  if (!/^[0-9a-zA-Z_*#+.-]{1,64}$/.test(extension) || !/^[0-9a-zA-Z_.-]{1,64}$/.test(context)) throw new Error(`extension/context: unsafe for a dial-plan transfer: "${extension}" in "${context}"`);
  return `api uuid_transfer ${sessionUuid} ${extension} XML ${context}`;
}

/** A link of this gateway and the dial-plan context of its agents' extensions. */
export interface ExecutingLink { readonly pbxLinkId: string; readonly context: string; readonly protocol?: 'ami' | 'esl' }

/** Assignment + local knowledge → the action to send, or why it cannot be carried out. */
export function planAssignment(a: Assignment, links: readonly ExecutingLink[], target: AssignmentTarget): AssignmentPlan {
  const pbxLinkId = linkOfCall(a.callId, links.map((l) => l.pbxLinkId));
  if (pbxLinkId === undefined) return { kind: 'not-ours' };
  const link = links.find((l) => l.pbxLinkId === pbxLinkId)!;
  if (target.callerChannel === null) return { kind: 'reject', pbxLinkId, failure: 'unknown-call', reason: 'unknown call: no caller channel recorded' };
  // Known (its channel was recorded) but answered, ended or already forgotten: moving the caller now would take them
  // from an agent, or fail; routing is told the call, not the agent, is why.
  if (target.callStatus !== undefined && target.callStatus !== 'queued') {
    return { kind: 'reject', pbxLinkId, failure: 'call-not-waiting', reason: `call no longer waiting in a queue (${target.callStatus ?? 'gone'})` };
  }
  const extension = extensionOfAgent(a.agentId, target.agentInterface);
  if (link.protocol === 'esl') {
    try {
      return { kind: 'redirect', protocol: 'esl', pbxLinkId, extension, command: eslTransferCommand(target.callerChannel, extension, link.context) };
    } catch (e) {
      return { kind: 'reject', pbxLinkId, failure: 'unknown-call', reason: (e as Error).message.slice(0, 512) };
    }
  }
  return { kind: 'redirect', protocol: 'ami', pbxLinkId, extension, action: redirectAction(target.callerChannel, extension, link.context) };
}

/** The event socket's answer to an `api` command: `+OK …` accepted, `-ERR <reason>` refused. */
export function eslReplyAccepted(body: string): { accepted: boolean; message: string } {
  const text = body.trim();
  return { accepted: text.startsWith('+OK'), message: text.replace(/^[-+](OK|ERR)\s*/, '').slice(0, 500) || text.slice(0, 500) };
}

/** The AMI response to the action: `Response: Success`, else refused with the `Message` (e.g. `No such channel`). */
export function amiReplyAccepted(response: string | undefined, message: string | undefined): { accepted: boolean; message: string } {
  return { accepted: response?.toLowerCase() === 'success', message: message ?? response ?? 'no response' };
}
