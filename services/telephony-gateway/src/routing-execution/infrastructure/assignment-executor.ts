import type { Pool, QueryResult, QueryResultRow } from 'pg';
import { headerOf, type AmiFrame } from '../../ami/domain/ami-frame';
import type { AssignmentOutcome } from '../../call-tracking/domain/vendor-events';
import {
  amiReplyAccepted, eslReplyAccepted, linksMatchingCall, ownerOfCall, planAssignment, type AmiAction, type Assignment, type AssignmentPlan, type AssignmentTarget,
} from '../domain/assignment-plan';
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

/** What a statement needs: the pool, or a consumer chunk's client inside its transaction. */
export interface Queryable { query<R extends QueryResultRow>(text: string, values?: unknown[]): Promise<QueryResult<R>> }

/** A claimed assignment and what the gateway knew locally when it claimed it. */
export interface ClaimedAssignment {
  readonly assignment: Assignment;
  /** The link that owns the call (ownerOfCall), one of this executor's. */
  readonly pbxLinkId: string;
  readonly target: AssignmentTarget & { readonly queuedAt: Date | null };
}

interface ClaimRow { event_id: string; queued_at: Date | null; channel: string | null; status: string | null; iface: string | null }

/**
 * Claims (`on conflict do nothing`: a claimed event id is never claimed again) in input order, then reads each
 * claimed call's caller channel and tracked status and the agent's member interface on the call's link.
 * `queued_at`: when the caller's QueueCallerJoin reached the gateway (queued-at-PBX → executed latency).
 */
const CLAIM_SQL = `
with input as (
  select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::float8[])
    with ordinality as i(event_id, call_id, agent_id, pbx_link_id, call_key, queue_id, wait_seconds, ord)
), claimed as (
  insert into gw_assignment_executions (event_id, call_id, agent_id, pbx_link_id, queue_id, wait_seconds, status, queued_at, received_at)
  select i.event_id, i.call_id, i.agent_id, i.pbx_link_id, i.queue_id, i.wait_seconds, 'executing',
         (select joined_at from gw_call_channels c where c.call_id = i.call_id), clock_timestamp()
    from input i order by i.ord
  on conflict (event_id) do nothing
  returning event_id, queued_at
)
select i.event_id, claimed.queued_at,
       (select channel from gw_call_channels c where c.call_id = i.call_id) as channel,
       (select state->>'status' from gw_subject_state s where s.kind = 'call' and s.pbx_link_id = i.pbx_link_id and s.subject = i.call_key) as status,
       (select state->>'extension' from gw_subject_state s where s.kind = 'agent' and s.pbx_link_id = i.pbx_link_id and s.subject = i.agent_id
          and s.state->>'status' = 'logged-in') as iface
  from input i join claimed using (event_id)
 order by i.ord`;

const ROW_UPDATE = `update gw_assignment_executions set status = $2, reason = $3, action = $4, finished_at = now()
  where event_id = $1 and status = 'executing'`;

/**
 * Carries out routing's assignments on the PBX, each at most once, and reports each outcome. The assignment is claimed
 * by its event id in a committed row before the action is sent (`claim`, then `carryOut` after the commit), so a
 * redelivered or republished assignment is never sent twice, even after a crash; the outcome (CallAssignmentExecuted /
 * CallAssignmentFailed) and the row's final status are committed together by `settle`.
 */
export class AssignmentExecutor {
  private readonly settle: Settle;

  private readonly configuredLinkIds: readonly string[];

  /**
   * `links`: the links this executor carries out assignments on. `configuredLinkIds`: every link of the gateway's
   * configuration, held here or by another replica (default: `links`); an assignment is claimed only when its call's
   * owner among them (ownerOfCall) is one of `links`.
   */
  constructor(
    private readonly pool: Pool,
    private readonly links: readonly ActionLink[],
    private readonly actionTimeoutMs = 5000,
    settle?: Settle,
    private readonly clock: () => number = Date.now,
    configuredLinkIds: readonly string[] = [],
  ) {
    // Without a link pipeline to number the event in the call's sequence, only the row is recorded.
    this.settle = settle ?? ((_link, { execution: e }) => this.pool.query(ROW_UPDATE, [e.eventId, e.status, e.reason, e.action]).then(() => undefined));
    this.configuredLinkIds = [...new Set([...configuredLinkIds, ...links.map((l) => l.config.pbxLinkId)])];
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

  /**
   * Claims the assignments of this gateway's links by event id, in one statement on `db` (the consumer chunk's
   * transaction, so the claims commit with the consumed offsets, before any action is sent), and reads what each
   * claimed one needs locally. Assignments claimed before (redelivered, republished) and other gateways' are left out.
   */
  async claim(db: Queryable, assignments: readonly Assignment[]): Promise<ClaimedAssignment[]> {
    const held = new Set(this.links.map((l) => l.config.pbxLinkId));
    const trackedOn = await this.linksTracking(db, assignments, held);
    const seen = new Set<string>();
    const ours = assignments.flatMap((a) => {
      const pbxLinkId = ownerOfCall(a.callId, this.configuredLinkIds, trackedOn.get(a.callId));
      if (pbxLinkId === undefined || !held.has(pbxLinkId) || seen.has(a.eventId)) return [];
      seen.add(a.eventId);
      return [{ a, pbxLinkId }];
    });
    if (ours.length === 0) return [];
    const { rows } = await db.query<ClaimRow>(CLAIM_SQL, [ours.map((o) => o.a.eventId), ours.map((o) => o.a.callId), ours.map((o) => o.a.agentId),
      ours.map((o) => o.pbxLinkId), ours.map((o) => callKeyOf(o.a.callId, o.pbxLinkId)), ours.map((o) => o.a.queueId), ours.map((o) => o.a.waitSeconds)]);
    const claimed = new Map(rows.map((r) => [r.event_id, r]));
    return ours.flatMap(({ a, pbxLinkId }) => {
      const r = claimed.get(a.eventId);
      if (r === undefined) return [];
      return [{ assignment: a, pbxLinkId, target: { callerChannel: r.channel, agentInterface: r.iface, callStatus: r.status, queuedAt: r.queued_at } }];
    });
  }

  /**
   * For call ids more than one configured link could own (one link id a prefix of another) where one of them is held
   * here: which of those links' call state tracks the call. Other call ids need no look-up.
   */
  private async linksTracking(db: Queryable, assignments: readonly Assignment[], held: ReadonlySet<string>): Promise<Map<string, string[]>> {
    const pairs = assignments.flatMap((a) => {
      const candidates = linksMatchingCall(a.callId, this.configuredLinkIds);
      if (candidates.length < 2 || !candidates.some((id) => held.has(id))) return [];
      return candidates.map((id) => ({ callId: a.callId, pbxLinkId: id, subject: callKeyOf(a.callId, id) }));
    });
    const tracked = new Map<string, string[]>();
    if (pairs.length === 0) return tracked;
    const { rows } = await db.query<{ call_id: string; pbx_link_id: string }>(
      `select p.call_id, p.pbx_link_id from unnest($1::text[], $2::text[], $3::text[]) as p(call_id, pbx_link_id, subject)
        where exists (select 1 from gw_subject_state s where s.kind = 'call' and s.pbx_link_id = p.pbx_link_id and s.subject = p.subject)`,
      [pairs.map((p) => p.callId), pairs.map((p) => p.pbxLinkId), pairs.map((p) => p.subject)]);
    for (const r of rows) tracked.set(r.call_id, [...(tracked.get(r.call_id) ?? []), r.pbx_link_id]);
    return tracked;
  }

  /**
   * Sends a claimed assignment's action (unless it cannot be carried out) and hands its outcome to `settle`; resolves
   * with the outcome once the PBX answered, and `settled` once the outcome is committed. The link pipeline numbers
   * settlements in the order they are handed over, so a call's next assignment need not wait for the commit.
   */
  async carryOut({ assignment: a, pbxLinkId, target }: ClaimedAssignment): Promise<{ outcome: AssignmentOutcome; settled: Promise<void> }> {
    const owner = this.links.filter((l) => l.config.pbxLinkId === pbxLinkId);
    const plan = planAssignment(a, owner.map((l) => ({ pbxLinkId: l.config.pbxLinkId, context: l.config.redirectContext ?? 'agents', protocol: l.protocol })), target);
    if (plan.kind === 'not-ours') throw new Error(`assignment ${a.eventId} was claimed for a call of no link of this gateway`);
    const result = plan.kind === 'reject' ? null : await this.send(plan);
    const outcome = outcomeOf(plan, result, target.queuedAt?.getTime() ?? null, this.clock());
    const settled = this.settle(plan.pbxLinkId, this.settlement(a, plan.pbxLinkId, outcome, plan.kind === 'redirect' ? actionText(plan) : null));
    return { outcome, settled };
  }

  private settlement(a: Assignment, pbxLinkId: string, outcome: AssignmentOutcome, action: string | null): Settlement {
    return {
      kind: 'settlement', event: settledEvent(a, pbxLinkId, outcome, this.clock()), causationid: a.eventId, correlationid: a.correlationId ?? a.eventId,
      execution: { eventId: a.eventId, status: outcome.status, reason: outcome.status === 'executed' ? null : outcome.reason, action },
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
}

const actionText = (plan: Extract<AssignmentPlan, { kind: 'redirect' }>): string =>
  plan.protocol === 'esl' ? plan.command : plan.action.map(([k, v]) => `${k}: ${v}`).join('\n');
