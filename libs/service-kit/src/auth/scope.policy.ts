import type { Principal, Role } from './principal';

/**
 * How far each role sees, in the caller's tenant only. Which *operations* a role may call is a separate question,
 * answered per method by @Roles; these helpers answer *whose data* a permitted call may touch.
 */
export type Reach = 'tenant' | 'site' | 'team' | 'self';

export const ROLE_REACH: Readonly<Record<Role, Reach>> = {
  director: 'tenant',
  hr: 'tenant',
  integrator: 'tenant',
  manager: 'site',
  supervisor: 'site',
  qa_inspector: 'site',
  trainer: 'site',
  scheduler: 'site',
  team_leader: 'team',
  agent: 'self',
};

/** Where a team sits in the org; the caller looks it up (a read model), these helpers stay pure. */
export interface TeamRef {
  readonly tenant: string;
  readonly siteId: string;
  readonly teamId: string;
}

export interface SiteRef {
  readonly tenant: string;
  readonly siteId: string;
}

const reaches = (p: Principal, reach: Reach): boolean => p.roles.some((r) => ROLE_REACH[r] === reach);

export function canSeeSite(p: Principal, site: SiteRef): boolean {
  if (site.tenant !== p.tenant) return false;
  return reaches(p, 'tenant') || (reaches(p, 'site') && p.siteIds.includes(site.siteId));
}

export function canSeeTeam(p: Principal, team: TeamRef): boolean {
  return canSeeSite(p, team) || (team.tenant === p.tenant && reaches(p, 'team') && p.teamIds.includes(team.teamId));
}

/**
 * An agent's data: their own always (the token binds `agent_id` to the caller's tenant); anyone else's only
 * through the agent's team. `teamOfAgent` is undefined for an agent without a team, which only tenant-wide
 * roles and the agent themself can then see.
 */
export function canSeeAgent(p: Principal, agentId: string, teamOfAgent: TeamRef | undefined): boolean {
  if (p.agentId === agentId) return true;
  if (teamOfAgent === undefined) return reaches(p, 'tenant');
  return canSeeTeam(p, teamOfAgent);
}

/**
 * The same rules as a filter for list queries (`WHERE tenant = $1 AND (…)`): everything in the tenant, or the
 * union of the listed sites, teams and agents.
 */
export interface Visibility {
  readonly tenant: string;
  readonly wholeTenant: boolean;
  readonly siteIds: readonly string[];
  readonly teamIds: readonly string[];
  readonly agentIds: readonly string[];
}

export function visibilityOf(p: Principal): Visibility {
  const wholeTenant = reaches(p, 'tenant');
  return {
    tenant: p.tenant,
    wholeTenant,
    siteIds: !wholeTenant && reaches(p, 'site') ? p.siteIds : [],
    teamIds: !wholeTenant && reaches(p, 'team') ? p.teamIds : [],
    agentIds: !wholeTenant && p.agentId !== undefined ? [p.agentId] : [],
  };
}
