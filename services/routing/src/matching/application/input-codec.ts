import type { RoutingInput } from '../domain/routing-inputs';

/** Engine inputs as journal JSON. Only `AgentProfileChanged` holds a Map (skill -> proficiency). */
export function encodeInput(input: RoutingInput): unknown {
  if (input.type !== 'AgentProfileChanged') return input;
  const { teamId, skills, teamLeader } = input.profile;
  return { ...input, profile: { teamId, skills: [...skills], ...(teamLeader === true ? { teamLeader } : {}) } };
}

export function decodeInput(json: unknown): RoutingInput {
  const input = json as RoutingInput;
  if (input.type !== 'AgentProfileChanged') return input;
  const raw = json as { profile: { teamId: string; skills: [string, number][]; teamLeader?: boolean } };
  const { teamId, skills, teamLeader } = raw.profile;
  return { ...input, profile: { teamId, skills: new Map(skills), ...(teamLeader === true ? { teamLeader } : {}) } };
}
