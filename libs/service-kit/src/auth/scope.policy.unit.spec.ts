import type { Principal } from './principal';
import { canSeeAgent, canSeeSite, canSeeTeam, visibilityOf } from './scope.policy';

const principal = (p: Partial<Principal> & Pick<Principal, 'roles'>): Principal => ({ userId: 'u', tenant: 'acme', teamIds: [], siteIds: [], ...p });
const parisTeam1 = { tenant: 'acme', siteId: 'paris', teamId: 't-1' };
const parisTeam2 = { tenant: 'acme', siteId: 'paris', teamId: 't-2' };
const lyonTeam3 = { tenant: 'acme', siteId: 'lyon', teamId: 't-3' };
const otherTenantTeam = { tenant: 'globex', siteId: 'paris', teamId: 't-1' };

describe('When the caller is an agent', () => {
  const agent = principal({ roles: ['agent'], agentId: 'a-1', teamIds: ['t-1'], siteIds: ['paris'] });
  it('should see their own data only', () => {
    expect(canSeeAgent(agent, 'a-1', parisTeam1)).toBe(true);
    expect(canSeeAgent(agent, 'a-2', parisTeam1)).toBe(false);
    expect(canSeeTeam(agent, parisTeam1)).toBe(false);
    expect(visibilityOf(agent)).toEqual({ tenant: 'acme', wholeTenant: false, siteIds: [], teamIds: [], agentIds: ['a-1'] });
  });
});

describe('When the caller is a team leader', () => {
  const leader = principal({ roles: ['team_leader'], teamIds: ['t-1'], siteIds: ['paris'] });
  it('should see their teams and their agents, not the rest of the site', () => {
    expect(canSeeTeam(leader, parisTeam1)).toBe(true);
    expect(canSeeAgent(leader, 'a-5', parisTeam1)).toBe(true);
    expect(canSeeTeam(leader, parisTeam2)).toBe(false);
    expect(canSeeSite(leader, { tenant: 'acme', siteId: 'paris' })).toBe(false);
  });
  it('should not see a team with the same id in another tenant', () => {
    expect(canSeeTeam(leader, otherTenantTeam)).toBe(false);
  });
});

describe('When the caller is a supervisor', () => {
  const supervisor = principal({ roles: ['supervisor'], siteIds: ['paris'] });
  it('should see every team and agent of their site and nothing elsewhere', () => {
    expect(canSeeTeam(supervisor, parisTeam2)).toBe(true);
    expect(canSeeAgent(supervisor, 'a-5', parisTeam1)).toBe(true);
    expect(canSeeTeam(supervisor, lyonTeam3)).toBe(false);
    expect(canSeeTeam(supervisor, otherTenantTeam)).toBe(false);
    expect(canSeeAgent(supervisor, 'a-6', undefined)).toBe(false);
    expect(visibilityOf(supervisor)).toEqual({ tenant: 'acme', wholeTenant: false, siteIds: ['paris'], teamIds: [], agentIds: [] });
  });
});

describe('When the caller is a director', () => {
  const director = principal({ roles: ['director'] });
  it('should see the whole tenant, including agents without a team, but no other tenant', () => {
    expect(canSeeTeam(director, lyonTeam3)).toBe(true);
    expect(canSeeAgent(director, 'a-6', undefined)).toBe(true);
    expect(canSeeTeam(director, otherTenantTeam)).toBe(false);
    expect(visibilityOf(director).wholeTenant).toBe(true);
  });
});

describe('When the caller holds several roles', () => {
  it('should see the union of what each role sees', () => {
    const leaderAndAgent = principal({ roles: ['team_leader', 'agent'], agentId: 'a-1', teamIds: ['t-2'] });
    expect(canSeeAgent(leaderAndAgent, 'a-1', parisTeam1)).toBe(true);
    expect(canSeeAgent(leaderAndAgent, 'a-7', parisTeam2)).toBe(true);
    expect(visibilityOf(leaderAndAgent)).toEqual({ tenant: 'acme', wholeTenant: false, siteIds: [], teamIds: ['t-2'], agentIds: ['a-1'] });
  });
});
