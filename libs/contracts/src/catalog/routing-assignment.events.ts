import { Type } from '@sinclair/typebox';
import { defineEvent } from './define-event';
import { AgentId, CallId, Count, Ident, QueueId, Seconds, SkillId } from './common.schema';

/** Routing decisions (facts): the gateway executes an assignment because it observes it. Key/subject: call id. */
const subject = 'call id';

const Step = Type.Integer({ minimum: 0, description: 'Index of the routing step (0 = first)' });
const PolicyRef = {
  policyId: Ident('Routing policy id'),
  policyVersion: Type.Integer({ minimum: 1, description: 'Version of the routing policy applied' }),
};

/** One agent the router looked at and what it concluded. */
export const RoutingCandidate = Type.Object({
  agentId: AgentId,
  outcome: Type.Union([Type.Literal('chosen'), Type.Literal('eligible'), Type.Literal('rejected')]),
  reason: Type.String({ minLength: 1, description: 'Why: e.g. "highest proficiency", "not ready", "skill not certified"' }),
  proficiency: Type.Number({ minimum: 0, maximum: 5, description: 'Proficiency in the required skill (0 = none)' }),
  idleSeconds: Seconds('Time since the agent last became ready'),
});

export const CallAssignedToAgent = defineEvent({
  name: 'CallAssignedToAgent',
  type: 'switchboard.routing.assignment.made.v1',
  description: 'Routing chose an agent for a waiting call, with the explanation of the choice.',
  subject,
  data: Type.Object({
    callId: CallId,
    queueId: QueueId,
    skillId: SkillId,
    agentId: AgentId,
    step: Step,
    ...PolicyRef,
    waitSeconds: Seconds('Caller wait at decision time'),
    explanation: Type.Object({
      strategy: Type.String({ minLength: 1, description: 'e.g. "highest-proficiency-then-longest-idle"' }),
      summary: Type.String({ minLength: 1, description: 'Why the chosen agent won, in one sentence' }),
      candidatesConsidered: Count('Agents evaluated'),
      candidates: Type.Array(RoutingCandidate, { description: 'The top candidates, chosen first' }),
    }),
  }),
});

export const CallOverflowed = defineEvent({
  name: 'CallOverflowed',
  type: 'switchboard.routing.assignment.overflowed.v1',
  description: 'A waiting call moved to the next routing step (wider pool, backup group, other site).',
  subject,
  data: Type.Object({
    callId: CallId,
    queueId: QueueId,
    fromStep: Step,
    toStep: Step,
    ...PolicyRef,
    trigger: Type.Union([
      Type.Literal('step-expired'),
      Type.Literal('no-eligible-agent'),
      Type.Literal('queue-length'),
      Type.Literal('service-level'),
    ]),
    waitSeconds: Seconds('Caller wait when overflowing'),
  }),
});

export const CallUnroutable = defineEvent({
  name: 'CallUnroutable',
  type: 'switchboard.routing.assignment.unroutable.v1',
  description: 'Routing gave up on a call: no step can serve it.',
  subject,
  data: Type.Object({
    callId: CallId,
    queueId: QueueId,
    reason: Type.Union([
      Type.Literal('no-agent-with-skill'),
      Type.Literal('all-steps-expired'),
      Type.Literal('queue-closed'),
      Type.Literal('queue-full'),
    ]),
    waitSeconds: Seconds('Caller wait when giving up'),
  }),
});

export const CallReoffered = defineEvent({
  name: 'CallReoffered',
  type: 'switchboard.routing.assignment.reoffered.v1',
  description: 'A previous assignment failed and the call is back in routing.',
  subject,
  data: Type.Object({
    callId: CallId,
    queueId: QueueId,
    previousAgentId: AgentId,
    reason: Type.Union([
      Type.Literal('ring-no-answer'), Type.Literal('agent-unavailable'), Type.Literal('agent-logged-out'),
      // Added later (new values are additive: consumers treat an unknown reason as a generic re-offer).
      Type.Literal('assignment-failed'), // the gateway could not carry out the assignment (PBX refused, link down, timeout)
      Type.Literal('call-not-waiting'), // the PBX said the call was not (or no longer) waiting when the assignment reached it
    ], { description: 'Why the previous offer ended. Consumers must accept reasons added later as a generic re-offer.' }),
    attempt: Type.Integer({ minimum: 2, description: 'Ordinal of the next offer' }),
  }),
});

export const routingAssignmentEvents = [CallAssignedToAgent, CallOverflowed, CallUnroutable, CallReoffered] as const;
