import type { TeamRef } from '@switchboard/service-kit';
import type { Pool } from 'pg';

/**
 * Which team each agent belongs to, for scope checks. No topic carries the org chart yet, so the table is loaded
 * by operations (or a future HR consumer); an agent missing from it is visible only to tenant-wide roles and themself.
 */
export async function migrateAgentDirectory(pool: Pool): Promise<void> {
  await pool.query(`create table if not exists reporting_agent_teams (
    tenant text not null, agent_id text not null, site_id text not null, team_id text not null, primary key (tenant, agent_id))`);
}

export async function teamsOf(pool: Pool, tenant: string, agentIds: readonly string[]): Promise<Map<string, TeamRef>> {
  const { rows } = await pool.query<{ agent_id: string; site_id: string; team_id: string }>(
    'select agent_id, site_id, team_id from reporting_agent_teams where tenant = $1 and agent_id = any($2)', [tenant, agentIds]);
  return new Map(rows.map((r) => [r.agent_id, { tenant, siteId: r.site_id, teamId: r.team_id }]));
}

/** Where each team sits (its agents' site in the directory), for scope checks on per-team figures. */
export async function teamRefsOf(pool: Pool, tenant: string, teamIds: readonly string[]): Promise<Map<string, TeamRef>> {
  const { rows } = await pool.query<{ team_id: string; site_id: string }>(
    'select distinct on (team_id) team_id, site_id from reporting_agent_teams where tenant = $1 and team_id = any($2) order by team_id, site_id', [tenant, teamIds]);
  return new Map(rows.map((r) => [r.team_id, { tenant, siteId: r.site_id, teamId: r.team_id }]));
}

/**
 * Records on the topics the serving projection versions have not applied yet (0 before they start): per projection
 * the active version, or while none is active yet the newest one building. Groups of replaced versions (an upgrade
 * leaves their offsets behind) and of copies reading other topics do not count.
 */
export async function projectionLag(pool: Pool, endOffsets: () => Promise<Map<string, number>>): Promise<number> {
  const { rows } = await pool.query<{ topic: string; partition: number; next_offset: string }>(
    `with o as (
       select topic, partition, next_offset, m[1] as name, m[2]::int as version
       from es_consumer_offsets, regexp_match(consumer_group, '^projection-(call_facts|agent_state)-v(\\d+)$') m)
     select topic, partition, next_offset from o
     where version = coalesce((select active_version from es_projections p where p.name = o.name), (select max(version) from o o2 where o2.name = o.name))`);
  const ends = await endOffsets();
  return rows.reduce((lag, r) => lag + Math.max(0, (ends.get(`${r.topic}:${r.partition}`) ?? 0) - Number(r.next_offset)), 0);
}
