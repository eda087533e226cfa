import type { Pool, PoolClient } from 'pg';
import {
  AgentStateLimitExceeded, TeamBreakLimitExceeded, createEnvelope, toKafkaRecord, type AnyEvent, type EnvelopeDeps,
} from '@switchboard/contracts';
import { inTransaction, writeOutbox, type OutboxMessage } from '@switchboard/eventsourcing';
import type { LiveAgent } from '../../matching/domain/live-state';
import { alertKey, evaluateStateLimits, type AgentStateLimitPolicy, type StateLimitAlert } from '../domain/agent-state-limits';
import { agentSnapshots } from './agent-snapshots';

const ALERTS_DDL = `
create table if not exists routing_floor_alerts (
  alert_key text primary key,
  team_id text not null,
  sequence int not null,
  raised_at timestamptz not null,
  unique (team_id, sequence)
);`;

// One writer of floor alerts at a time (replicas), so per-team sequences are gap-free.
const FLOOR_ALERT_LOCK = 7_426_612;

export interface FloorAlertContext {
  readonly tenant: string;
  readonly site: string;
  readonly deps: EnvelopeDeps;
  /** Overrides the registry's floor topic (tests publish to a topic of their own). */
  readonly topic?: string;
}

/**
 * RT-07 alerts from routing's live agent state, on the routing clock: each broken limit is raised once (the key of
 * every raised alert is stored with it, in the transaction that puts it in the outbox, so a restart or a second
 * replica never raises it again) and published on the floor topic keyed by team.
 */
export class FloorAlerts {
  private raised = new Set<string>();

  constructor(private readonly pool: Pool, private readonly policy: AgentStateLimitPolicy, private readonly ctx: FloorAlertContext) {}

  static async migrate(pool: Pool): Promise<void> {
    await pool.query(ALERTS_DDL);
  }

  /** Loads the keys already raised (on start). */
  async restore(): Promise<void> {
    const { rows } = await this.pool.query<{ alert_key: string }>('select alert_key from routing_floor_alerts');
    this.raised = new Set(rows.map((r) => r.alert_key));
  }

  /** Evaluates the limits at `now` and publishes the new alerts; returns them. */
  async evaluate(agents: Iterable<LiveAgent>, now: number): Promise<StateLimitAlert[]> {
    const { alerts } = evaluateStateLimits(agentSnapshots(agents), this.policy, now, this.raised);
    if (alerts.length === 0) return [];
    const published = await inTransaction(this.pool, async (client) => {
      await client.query('select pg_advisory_xact_lock($1)', [FLOOR_ALERT_LOCK]);
      const out: { alert: StateLimitAlert; message: OutboxMessage }[] = [];
      for (const alert of alerts) {
        const sequence = await this.claim(client, alert);
        if (sequence !== null) out.push({ alert, message: this.toMessage(alert, sequence) });
      }
      await writeOutbox(client, out.map((o) => o.message));
      return out.map((o) => o.alert);
    });
    alerts.forEach((a) => this.raised.add(alertKey(a)));
    return published;
  }

  /** Stores the alert's key with the team's next sequence; null when it was raised already (another replica). */
  private async claim(client: PoolClient, alert: StateLimitAlert): Promise<number | null> {
    const { rows } = await client.query<{ sequence: number }>(
      `insert into routing_floor_alerts (alert_key, team_id, sequence, raised_at)
       select $1, $2, coalesce(max(sequence), 0) + 1, $3 from routing_floor_alerts where team_id = $2
       on conflict (alert_key) do nothing returning sequence`, [alertKey(alert), alert.data.teamId, new Date(alert.data.at)]);
    return rows[0]?.sequence ?? null;
  }

  private toMessage(alert: StateLimitAlert, sequence: number): OutboxMessage {
    const common = { service: 'routing', site: this.ctx.site, tenant: this.ctx.tenant, subject: alert.data.teamId, sequence, time: new Date(alert.data.at) };
    const envelope = alert.type === 'AgentStateLimitExceeded'
      ? createEnvelope(AgentStateLimitExceeded, { ...common, data: {
        agentId: alert.data.agentId, teamId: alert.data.teamId, limit: alert.data.limit, notReadyReason: alert.data.reason,
        since: new Date(alert.data.since).toISOString(), limitSeconds: alert.data.limitSeconds, elapsedSeconds: alert.data.elapsedSeconds,
      } }, this.ctx.deps)
      : createEnvelope(TeamBreakLimitExceeded, { ...common, data: { teamId: alert.data.teamId, agentIds: [...alert.data.agentIds], maxOnBreak: alert.data.maxOnBreak } }, this.ctx.deps);
    const record = toKafkaRecord(envelope as unknown as AnyEvent);
    return { topic: this.ctx.topic ?? record.topic, key: record.key, value: record.value, headers: record.headers };
  }
}
