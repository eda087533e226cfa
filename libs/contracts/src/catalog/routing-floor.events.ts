import { Type } from '@sinclair/typebox';
import { defineEvent } from './define-event';
import { AgentId, Ident, Seconds } from './common.schema';
import { RFC3339_PATTERN } from '../envelope/envelope.schema';

/**
 * Floor management alerts (RT-07, seed 002 现场管理): agent-state limits broken. Key and subject: the team id, so a
 * team leader's alerts arrive in order. `time` is when the limit was found broken.
 */
const subject = 'team id';

const TeamId = Ident('Team id');

export const StateLimit = Type.Union([
  Type.Literal('busy'),
  Type.Literal('break'),
  Type.Literal('meal'),
  Type.Literal('away-without-approval'),
], { description: 'busy (置忙) > 5 min, break > 10 min, meal > 30 min, away from the seat > 15 min without approval (defaults)' });

export const AgentStateLimitExceeded = defineEvent({
  name: 'AgentStateLimitExceeded',
  type: 'switchboard.routing.floor.agent-state-limit-exceeded.v1',
  description: "An agent's current not-ready episode broke a configured limit; raised once per episode and limit.",
  subject,
  data: Type.Object({
    agentId: AgentId,
    teamId: TeamId,
    limit: StateLimit,
    notReadyReason: Type.String({ minLength: 1, maxLength: 64, description: 'Not-ready reason code of the episode' }),
    since: Type.String({ pattern: RFC3339_PATTERN, description: 'When the episode began (RFC 3339)' }),
    limitSeconds: Seconds('The limit that was broken'),
    elapsedSeconds: Seconds('Episode length when the breach was found'),
  }),
});

export const TeamBreakLimitExceeded = defineEvent({
  name: 'TeamBreakLimitExceeded',
  type: 'switchboard.routing.floor.team-break-limit-exceeded.v1',
  description: 'More agents of one team are on break at once than the policy allows; raised once per set of agents.',
  subject,
  data: Type.Object({
    teamId: TeamId,
    agentIds: Type.Array(AgentId, { minItems: 1, description: 'Agents of the team on break, sorted' }),
    maxOnBreak: Type.Integer({ minimum: 0, description: 'Agents of a team allowed on break at once' }),
  }),
});

export const routingFloorEvents = [AgentStateLimitExceeded, TeamBreakLimitExceeded] as const;
