import { Controller, Inject } from '@nestjs/common';
import type { Metadata } from '@grpc/grpc-js';
import { Observable } from 'rxjs';
import { NotFoundError, PermissionDeniedError } from '@switchboard/domain-errors';
import { principalOf, Roles, type Principal } from '@switchboard/service-kit';
import {
  RoutingServiceControllerMethods, QueueOrder,
  type AssignTeamRequest, type ExplainRoutingRequest, type GetQueueStateRequest, type SetTeamLeaderHandlingRatioRequest, type SetTeamLeaderTeamRatioRequest, type GrantSkillRequest, type RevokeSkillRequest, type RoutingServiceController,
  type SetAgentSkillRequest, type SetRoutingPolicyRequest, type UpsertQueueRequest, type UpsertSkillRequest, type WatchQueueStateRequest,
  type WatchQueueStateResponse,
} from '@switchboard/contracts/src/generated/switchboard/routing/v1/routing_service';
import type { RoutingConfiguration } from '../configuration/application/routing-configuration';
import type { LiveRouter } from '../matching/application/live-router';
import type { PostgresDecisionSink } from '../matching/application/postgres-decision-sink';
import { explanationToProto, policyFromProto, policyToProto, queueStateToProto } from './routing-grpc.mappers';
import { watchQueueStates } from './queue-state.stream';

export const ROUTING_DEPS = Symbol('ROUTING_DEPS');
export interface RoutingDeps {
  readonly configuration: RoutingConfiguration;
  readonly router: LiveRouter;
  readonly decisions: Pick<PostgresDecisionSink, 'lastAssignment'>;
}

const MANAGE = ['supervisor', 'manager', 'director'] as const;
const READ = [...MANAGE, 'team_leader'] as const;
const isTeamScoped = (p: Principal) => !p.roles.some((r) => (MANAGE as readonly string[]).includes(r));

@Controller()
@RoutingServiceControllerMethods()
export class RoutingGrpcController implements RoutingServiceController {
  constructor(@Inject(ROUTING_DEPS) private readonly deps: RoutingDeps) {}

  @Roles(...MANAGE)
  async upsertQueue({ queue }: UpsertQueueRequest, md: Metadata) {
    const q = { queueId: queue?.queueId ?? '', name: queue?.name ?? '', skillId: queue?.skillId ?? '', serviceLevelThresholdSeconds: queue?.serviceLevelThresholdSeconds ?? 0,
      serviceLevelTargetPercent: queue?.serviceLevelTargetPercent ?? 0, maxWaitingCalls: queue?.maxWaitingCalls ?? 0 };
    const { version } = await this.deps.configuration.defineQueue(q, principalOf(md).userId);
    return { queue: { ...q, order: QueueOrder.QUEUE_ORDER_PRIORITY_THEN_FIFO }, version: String(version) };
  }

  @Roles(...MANAGE)
  async upsertSkill({ skill }: UpsertSkillRequest, md: Metadata) {
    const s = { skillId: skill?.skillId ?? '', name: skill?.name ?? '', category: skill?.category ?? '' };
    return { skill: await this.deps.configuration.defineSkill(s, principalOf(md).userId) };
  }

  @Roles(...MANAGE)
  async setAgentSkill(r: SetAgentSkillRequest, md: Metadata) {
    await this.deps.configuration.changeProfile(r.agentId, (at) => ({ type: 'SetSkillProficiency', data: { ...r, setBy: principalOf(md).userId, at } }));
    return { agentId: r.agentId, skillId: r.skillId, proficiency: r.proficiency };
  }

  @Roles(...MANAGE)
  async grantSkill(r: GrantSkillRequest, md: Metadata) {
    await this.deps.configuration.changeProfile(r.agentId, (at) => ({ type: 'GrantSkill', data: { ...r, grantedBy: principalOf(md).userId, at } }));
    return { agentId: r.agentId, skillId: r.skillId };
  }

  @Roles(...MANAGE)
  async revokeSkill(r: RevokeSkillRequest, md: Metadata) {
    await this.deps.configuration.changeProfile(r.agentId, (at) => ({ type: 'RevokeSkill', data: { ...r, revokedBy: principalOf(md).userId, at } }));
    return { agentId: r.agentId, skillId: r.skillId };
  }

  @Roles(...MANAGE)
  async setRoutingPolicy({ policy }: SetRoutingPolicyRequest, md: Metadata) {
    const saved = await this.deps.configuration.setRoutingPolicy(policyFromProto(policy), principalOf(md).userId);
    return { policy: policyToProto(saved), policyVersion: saved.version };
  }

  /** RT-06: the role gate here and the decider's own check (it records who and why) both require the director. */
  @Roles('director')
  async setTeamLeaderHandlingRatio({ ratio, reason }: SetTeamLeaderHandlingRatioRequest, md: Metadata) {
    const me = principalOf(md);
    const state = await this.deps.configuration.setTeamLeaderHandlingRatio(ratio, reason, me.userId, me.roles);
    return { ratio: state.ratio, version: String(state.version) };
  }

  /** RT-06 per team: as the centre-wide ratio, director only at the gate and in the decider; no ratio = back to the centre-wide one. */
  @Roles('director')
  async setTeamLeaderTeamRatio({ teamId, ratio, reason }: SetTeamLeaderTeamRatioRequest, md: Metadata) {
    const me = principalOf(md);
    const state = await this.deps.configuration.setTeamLeaderTeamRatio(teamId, ratio ?? null, reason, me.userId, me.roles);
    return {
      teamId, ...(state.ratio === null ? {} : { ratio: state.ratio }),
      effectiveRatio: this.deps.router.engine.book.ratioOf(teamId), version: String(state.version),
    };
  }

  @Roles(...MANAGE)
  async assignTeam({ agentId, teamId, teamLeader }: AssignTeamRequest, md: Metadata) {
    await this.deps.configuration.changeProfile(agentId, (at) => ({ type: 'AssignTeam', data: { agentId, teamId, teamLeader, assignedBy: principalOf(md).userId, at } }));
    return { agentId, teamId, teamLeader };
  }

  @Roles(...READ)
  getQueueState({ queueId }: GetQueueStateRequest, md: Metadata) {
    this.requireQueueInScope(principalOf(md), queueId);
    return { state: queueStateToProto(this.deps.router.queueState(queueId)) };
  }

  @Roles(...READ)
  watchQueueState({ queueIds }: WatchQueueStateRequest, md: Metadata): Observable<WatchQueueStateResponse> {
    const me = principalOf(md);
    queueIds.forEach((q) => this.requireQueueInScope(me, q));
    const visible = () => (queueIds.length > 0 ? queueIds : this.deps.router.knownQueueIds().filter((q) => this.queueInScope(me, q)));
    return watchQueueStates(this.deps.router, visible);
  }

  @Roles(...READ)
  async explainRouting({ callId }: ExplainRoutingRequest, md: Metadata) {
    const assigned = await this.deps.decisions.lastAssignment(callId);
    if (assigned === undefined) throw new NotFoundError('ROUTING.NO_DECISION', `no routing decision for call ${callId}`);
    const me = principalOf(md);
    const team = this.deps.router.engine.book.profiles.get(assigned.data.agentId)?.teamId;
    if (isTeamScoped(me) && (team === undefined || !me.teamIds.includes(team))) {
      throw new PermissionDeniedError('ROUTING.CALL_OUT_OF_SCOPE', `call ${callId} went to an agent outside your teams`);
    }
    return explanationToProto(assigned.data);
  }

  /** Team leaders see queues that an agent of one of their teams serves. */
  private queueInScope(me: Principal, queueId: string): boolean {
    if (!isTeamScoped(me)) return true;
    for (const a of this.deps.router.engine.book.agents.values()) if (a.queueIds.has(queueId) && me.teamIds.includes(a.teamId)) return true;
    return false;
  }

  private requireQueueInScope(me: Principal, queueId: string): void {
    if (!this.queueInScope(me, queueId)) throw new PermissionDeniedError('ROUTING.QUEUE_OUT_OF_SCOPE', `queue ${queueId} is not served by your teams`);
  }
}
