/** The org chart's roles, as they appear in the token's `roles` claim. */
export const ROLES = [
  'director', 'manager', 'supervisor', 'team_leader', 'qa_inspector', 'trainer', 'hr', 'scheduler', 'agent', 'integrator',
] as const;

export type Role = (typeof ROLES)[number];

/** Who is calling, as proven by a verified token. Scope ids are what the token grants, not what exists. */
export interface Principal {
  /** `sub`: the user (or integrator client) id. */
  readonly userId: string;
  readonly roles: readonly Role[];
  readonly tenant: string;
  /** `agent_id`: set when the user works as an agent. */
  readonly agentId?: string;
  readonly teamIds: readonly string[];
  readonly siteIds: readonly string[];
}

export type ClaimsResult = { ok: true; principal: Principal } | { ok: false; reason: string };

const isRole = (r: unknown): r is Role => typeof r === 'string' && (ROLES as readonly string[]).includes(r);
const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string' && x !== '');
const isNonEmptyString = (v: unknown): v is string => typeof v === 'string' && v !== '';

/**
 * Turns verified JWT claims into a Principal. Role names this build does not know are dropped (a newer identity
 * provider must not lock users out), but a token that grants no known role at all is rejected.
 */
export function principalFromClaims(claims: Record<string, unknown>): ClaimsResult {
  const { sub, roles, tenant, agent_id: agentId, team_ids: teamIds = [], site_ids: siteIds = [] } = claims;
  if (!isNonEmptyString(sub)) return { ok: false, reason: 'sub claim missing' };
  if (!isNonEmptyString(tenant)) return { ok: false, reason: 'tenant claim missing' };
  if (!Array.isArray(roles)) return { ok: false, reason: 'roles claim missing' };
  const known = [...new Set(roles.filter(isRole))];
  if (known.length === 0) return { ok: false, reason: 'roles claim grants no known role' };
  if (agentId !== undefined && !isNonEmptyString(agentId)) return { ok: false, reason: 'agent_id claim is not a string' };
  if (!isStringArray(teamIds)) return { ok: false, reason: 'team_ids claim is not a list of ids' };
  if (!isStringArray(siteIds)) return { ok: false, reason: 'site_ids claim is not a list of ids' };
  return { ok: true, principal: { userId: sub, roles: known, tenant, ...(agentId === undefined ? {} : { agentId }), teamIds, siteIds } };
}

export const hasAnyRole = (p: Principal, wanted: readonly Role[]): boolean => wanted.some((r) => p.roles.includes(r));
