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

/** Records on the topics the reporting projections have not applied yet (0 before they start). */
export async function projectionLag(pool: Pool, endOffsets: () => Promise<Map<string, number>>): Promise<number> {
  const { rows } = await pool.query<{ topic: string; partition: number; next_offset: string }>(
    `select topic, partition, next_offset from es_consumer_offsets where consumer_group like 'projection-call_facts-%' or consumer_group like 'projection-agent_state-%'`);
  const ends = await endOffsets();
  return rows.reduce((lag, r) => lag + Math.max(0, (ends.get(`${r.topic}:${r.partition}`) ?? 0) - Number(r.next_offset)), 0);
}
