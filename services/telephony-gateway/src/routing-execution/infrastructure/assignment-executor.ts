import type { Pool } from 'pg';
import { headerOf, type AmiFrame } from '../../ami/domain/ami-frame';
import type { AssignmentOutcome } from '../../call-tracking/domain/vendor-events';
import { amiReplyAccepted, eslReplyAccepted, planAssignment, type AmiAction, type Assignment, type AssignmentPlan } from '../domain/assignment-plan';
import { callKeyOf, INTERRUPTED, outcomeOf, settledEvent, type ActionResult, type Settlement } from '../domain/assignment-outcome';

/** A PBX link able to carry out an assignment: AMI `send` (AmiLink), or an event-socket `api` command (FreeSWITCH). */
export interface ActionLink {
  readonly config: { readonly pbxLinkId: string; readonly redirectContext?: string };
  readonly protocol?: 'ami' | 'esl';
  send?(action: AmiAction, timeoutMs?: number): Promise<AmiFrame>;
  /** Event socket `api <command>`: resolves with the reply body (`+OK …` / `-ERR …`). */
  api?(command: string, timeoutMs?: number): Promise<string>;
}

/**
 * Commits a settlement on its link: the outcome event numbered in the call's own sequence (only the link's call
 * tracker knows it) and the execution row's update, in one transaction. Production: the link pipeline's `settle`.
 */
export type Settle = (pbxLinkId: string, settlement: Settlement) => Promise<void>;

export type ExecutionResult = AssignmentOutcome | { readonly status: 'duplicate' } | { readonly status: 'not-ours' };

const ROW_UPDATE = `update gw_assignment_executions set status = $2, reason = $3, action = $4, finished_at = now()
  where event_id = $1 and status = 'executing'`;

/**
 * Carries out routing's assignments on the PBX, each at most once, and reports each outcome. The assignment is claimed
 * by its event id in a committed row before the action is sent, so a redelivered or republished assignment is never
 * sent twice, even after a crash; the outcome (CallAssignmentExecuted / CallAssignmentFailed) and the row's final
 * status are committed together by `settle`.
 */
export class AssignmentExecutor {
  private readonly settle: Settle;

  constructor(
    private readonly pool: Pool,
    private readonly links: readonly ActionLink[],
    private readonly actionTimeoutMs = 5000,
    settle?: Settle,
    private readonly clock: () => number = Date.now,
  ) {
    // Without a link pipeline to number the event in the call's sequence, only the row is recorded.
    this.settle = settle ?? ((_link, s) => this.pool.query(s.statement.text, [...s.statement.values]).then(() => undefined));
  }

  /** Rows left `executing` by a stop: the action may or may not have reached the PBX. Each is reported `outcome-unknown`. */
  async settleInterrupted(): Promise<number> {
    const { rows } = await this.pool.query<{ event_id: string; call_id: string; agent_id: string; pbx_link_id: string; queue_id: string; wait_seconds: number }>(
      `select event_id, call_id, agent_id, pbx_link_id, queue_id, wait_seconds from gw_assignment_executions
        where status = 'executing' and pbx_link_id = any($1::text[]) order by received_at`, [this.links.map((l) => l.config.pbxLinkId)]);
    for (const r of rows) {
      const a: Assignment = { eventId: r.event_id, callId: r.call_id, agentId: r.agent_id, queueId: r.queue_id, waitSeconds: r.wait_seconds };
      await this.settle(r.pbx_link_id, this.settlement(a, r.pbx_link_id, INTERRUPTED, null));
    }
    return rows.length;
  }

  async execute(a: Assignment): Promise<ExecutionResult> {
    const target = await this.target(a);
    const plan = planAssignment(a, this.links.map((l) => ({ pbxLinkId: l.config.pbxLinkId, context: l.config.redirectContext ?? 'agents', protocol: l.protocol })), target);
    if (plan.kind === 'not-ours') return { status: 'not-ours' };
    // queued_at: when the caller's QueueCallerJoin reached the gateway (queued-at-PBX → executed latency).
    const claimed = await this.pool.query(`insert into gw_assignment_executions (event_id, call_id, agent_id, pbx_link_id, queue_id, wait_seconds, status, queued_at)
      values ($1, $2, $3, $4, $5, $6, 'executing', $7) on conflict (event_id) do nothing`,
    [a.eventId, a.callId, a.agentId, plan.pbxLinkId, a.queueId, a.waitSeconds, target.queuedAt]);
    if (claimed.rowCount === 0) return { status: 'duplicate' };
    const result = plan.kind === 'reject' ? null : await this.send(plan);
    const outcome = outcomeOf(plan, result, target.queuedAt?.getTime() ?? null, this.clock());
    await this.settle(plan.pbxLinkId, this.settlement(a, plan.pbxLinkId, outcome, plan.kind === 'redirect' ? actionText(plan) : null));
    return outcome;
  }

  private settlement(a: Assignment, pbxLinkId: string, outcome: AssignmentOutcome, action: string | null): Settlement {
    const [status, reason] = outcome.status === 'executed' ? ['executed', null] : ['failed', outcome.reason];
    return {
      kind: 'settlement', event: settledEvent(a, pbxLinkId, outcome, this.clock()), causationid: a.eventId, correlationid: a.correlationId ?? a.eventId,
      statement: { text: ROW_UPDATE, values: [a.eventId, status, reason, action] },
    };
  }

  private async send(plan: Extract<AssignmentPlan, { kind: 'redirect' }>): Promise<ActionResult> {
    const link = this.links.find((l) => l.config.pbxLinkId === plan.pbxLinkId)!;
    const failed = (e: Error): ActionResult => ({ kind: 'link-error', message: e.message });
    if (plan.protocol === 'esl') {
      if (link.api === undefined) return { kind: 'link-error', message: 'event-socket link cannot send api commands' };
      return link.api(plan.command, this.actionTimeoutMs).then((body) => ({ kind: 'answered' as const, ...eslReplyAccepted(body) }), failed);
    }
    if (link.send === undefined) return { kind: 'link-error', message: 'AMI link cannot send actions' };
    return link.send(plan.action, this.actionTimeoutMs).then(
      (response) => ({ kind: 'answered' as const, ...amiReplyAccepted(headerOf(response, 'Response'), headerOf(response, 'Message')) }), failed);
  }

  private async target(a: Assignment): Promise<{ callerChannel: string | null; agentInterface: string | null; callStatus: string | null; queuedAt: Date | null }> {
    const link = this.links.map((l) => l.config.pbxLinkId).filter((id) => a.callId.startsWith(`${id}:`)).sort((x, y) => y.length - x.length)[0];
    const { rows } = await this.pool.query<{ channel: string | null; joined_at: Date | null; iface: string | null; status: string | null }>(
      `select (select channel from gw_call_channels where call_id = $1) as channel,
              (select joined_at from gw_call_channels where call_id = $1) as joined_at,
              (select state->>'status' from gw_subject_state where kind = 'call' and pbx_link_id = $3 and subject = $4) as status,
              (select state->>'extension' from gw_subject_state where kind = 'agent' and subject = $2 and state->>'status' = 'logged-in'
                and left($1, length(pbx_link_id) + 1) = pbx_link_id || ':' limit 1) as iface`,
      [a.callId, a.agentId, link ?? '', link === undefined ? '' : callKeyOf(a.callId, link)]);
    const r = rows[0];
    return { callerChannel: r?.channel ?? null, agentInterface: r?.iface ?? null, callStatus: r?.status ?? null, queuedAt: r?.joined_at ?? null };
  }
}

const actionText = (plan: Extract<AssignmentPlan, { kind: 'redirect' }>): string =>
  plan.protocol === 'esl' ? plan.command : plan.action.map(([k, v]) => `${k}: ${v}`).join('\n');
