import type { RoutingInput } from '../domain/routing-inputs';

/** Engine inputs as journal JSON. Only `AgentProfileChanged` holds a Map (skill -> proficiency). */
export function encodeInput(input: RoutingInput): unknown {
  if (input.type !== 'AgentProfileChanged') return input;
  return { ...input, profile: { teamId: input.profile.teamId, skills: [...input.profile.skills] } };
}

export function decodeInput(json: unknown): RoutingInput {
  const input = json as RoutingInput;
  if (input.type !== 'AgentProfileChanged') return input;
  const raw = json as { profile: { teamId: string; skills: [string, number][] } };
  return { ...input, profile: { teamId: raw.profile.teamId, skills: new Map(raw.profile.skills) } };
}
