import type { Static } from '@sinclair/typebox';
import type { AgentState as AgentStateSchema, NotReadyReason as NotReadyReasonSchema } from '@switchboard/contracts';

export type AgentStatus = Static<typeof AgentStateSchema>;
export type NotReadyReason = Static<typeof NotReadyReasonSchema>;

export interface LoggedOutAgent { readonly status: 'logged-out'; readonly sequence: number }

export interface LoggedInAgent {
  readonly status: 'logged-in';
  readonly agentId: string;
  readonly extension: string;
  readonly sequence: number;
  readonly queues: readonly string[];
  readonly loginAtMs: number;
  readonly current: AgentStatus;
  readonly sinceMs: number;
  /** The PBX pause, which outlives a call: after the call the agent returns to it rather than to ready. */
  readonly pause: { readonly reason: string } | null;
  readonly lastCallKey: string | null;
  readonly lastCallId: string | null;
  /** `${callKey}@${at}` of the last ring-no-answer, to drop repeats. */
  readonly lastRna: string | null;
  /**
   * The PBX ended the agent's call at `atMs` and what follows is not known yet: an after-call-work pause reported
   * right after it makes the agent go straight from on-call to wrap-up (never a ready instant routing could use in
   * between). Absent in states stored by earlier versions.
   */
  readonly completing?: { readonly atMs: number } | null;
}

export type AgentSession = LoggedOutAgent | LoggedInAgent;

export const initialAgentSession = (): AgentSession => ({ status: 'logged-out', sequence: 0 });

const REASONS: readonly [RegExp, NotReadyReason][] = [
  [/acw|after.?call|wrap/i, 'after-call-work'], [/lunch|meal|dinner/i, 'meal'], [/break|rest|toilet/i, 'break'],
  [/meeting/i, 'meeting'], [/train|coach/i, 'training'],
];

/** PBX pause reasons are free text; anything unrecognised (or empty: a pause without reason) is `busy` (置忙). */
export function notReadyReasonOf(text: string): NotReadyReason {
  return REASONS.find(([re]) => re.test(text))?.[1] ?? 'busy';
}

export const isAfterCallWork = (text: string): boolean => notReadyReasonOf(text) === 'after-call-work';
