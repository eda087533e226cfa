import type { Pool } from 'pg';
import { headerOf, type AmiFrame } from '../../ami/domain/ami-frame';
import { outcomeOfResponse, planAssignment, type AmiAction, type Assignment, type ExecutionOutcome } from '../domain/assignment-plan';

/** A PBX link able to run an AMI action (AmiLink in production, a fake in unit tests). */
export interface ActionLink {
  readonly config: { readonly pbxLinkId: string; readonly redirectContext?: string };
  send(action: AmiAction, timeoutMs?: number): Promise<AmiFrame>;
}

export type ExecutionResult = ExecutionOutcome | { readonly status: 'duplicate' } | { readonly status: 'not-ours' };

/**
 * Carries out routing's assignments on the PBX, each at most once. The assignment is claimed by its event id in a
 * committed row before the action is sent, so a redelivered or republished assignment is never sent twice, even
 * after a crash; the outcome (executed / failed with the PBX's reason) is recorded on the same row.
 */
export class AssignmentExecutor {
  constructor(private readonly pool: Pool, private readonly links: readonly ActionLink[], private readonly actionTimeoutMs = 5000) {}

  /** Rows left `executing` by a crash: the action may or may not have reached the PBX. */
  async settleInterrupted(): Promise<number> {
    const r = await this.pool.query(`update gw_assignment_executions set status = 'failed', reason = 'outcome unknown: gateway stopped while executing', finished_at = now()
      where status = 'executing' and pbx_link_id = any($1::text[])`, [this.links.map((l) => l.config.pbxLinkId)]);
    return r.rowCount ?? 0;
  }

  async execute(a: Assignment): Promise<ExecutionResult> {
    const target = await this.target(a);
    const plan = planAssignment(a, this.links.map((l) => ({ pbxLinkId: l.config.pbxLinkId, context: l.config.redirectContext ?? 'agents' })), target);
    if (plan.kind === 'not-ours') return { status: 'not-ours' };
    // queued_at: when the caller's QueueCallerJoin reached the gateway (queued-at-PBX → executed latency).
    const claimed = await this.pool.query(`insert into gw_assignment_executions (event_id, call_id, agent_id, pbx_link_id, queue_id, wait_seconds, status, queued_at)
      select $1, $2, $3, $4, $5, $6, 'executing', (select joined_at from gw_call_channels where call_id = $2) on conflict (event_id) do nothing`, [a.eventId, a.callId, a.agentId, plan.pbxLinkId, a.queueId, a.waitSeconds]);
    if (claimed.rowCount === 0) return { status: 'duplicate' };
    const link = this.links.find((l) => l.config.pbxLinkId === plan.pbxLinkId)!;
    let outcome: ExecutionOutcome;
    let actionText: string | null = null;
    if (plan.kind === 'reject') outcome = { status: 'failed', reason: plan.reason };
    else {
      actionText = plan.action.map(([k, v]) => `${k}: ${v}`).join('\n');
      outcome = await link.send(plan.action, this.actionTimeoutMs).then(
        (response) => outcomeOfResponse(headerOf(response, 'Response'), headerOf(response, 'Message')),
        (e: Error): ExecutionOutcome => ({ status: 'failed', reason: `AMI: ${e.message}`.slice(0, 512) }),
      );
    }
    await this.pool.query('update gw_assignment_executions set status = $2, reason = $3, action = $4, finished_at = now() where event_id = $1',
      [a.eventId, outcome.status, outcome.status === 'failed' ? outcome.reason : null, actionText]);
    return outcome;
  }

  private async target(a: Assignment): Promise<{ callerChannel: string | null; agentInterface: string | null }> {
    const { rows } = await this.pool.query<{ channel: string | null; iface: string | null }>(
      `select (select channel from gw_call_channels where call_id = $1) as channel,
              (select state->>'extension' from gw_subject_state where kind = 'agent' and subject = $2 and state->>'status' = 'logged-in'
                and left($1, length(pbx_link_id) + 1) = pbx_link_id || ':' limit 1) as iface`, [a.callId, a.agentId]);
    return { callerChannel: rows[0]?.channel ?? null, agentInterface: rows[0]?.iface ?? null };
  }
}
