import { createEnvelope, encodePbxRawFrame, systemEnvelopeDeps, toKafkaRecord, Topics, type AnyEvent } from '@switchboard/contracts';
import { inTransaction, writeOutbox, type OutboxMessage } from '@switchboard/eventsourcing';
import type { Pool, PoolClient } from 'pg';
import { isQueueVisitScoped, queueVisitOf, type AcceptedWebhookEvent, type EnvelopeScope } from '../domain/webhook-event';

const WEBHOOK_DDL = `
create table if not exists gw_webhook_events (
  event_id text primary key, subject text not null, type text not null, sequence integer not null, received_at timestamptz not null default now()
);
create table if not exists gw_webhook_sequences (subject text primary key, sequence integer not null);
create table if not exists gw_webhook_queue_visits (subject text primary key, visits integer not null);
`;

export interface Stored { readonly id: string; readonly sequence: number; readonly duplicate: boolean }

/**
 * Writes an accepted webhook event in one transaction: the idempotency row, the next per-subject sequence (the
 * subject's row lock orders concurrent posts), the raw body to the archive and the canonical event to the outbox.
 */
export class WebhookStore {
  constructor(
    private readonly pool: Pool,
    private readonly scope: EnvelopeScope & { readonly pbxLinkId: string; readonly topicOverrides?: Readonly<Record<string, string>> },
  ) {}

  static async open(pool: Pool, scope: WebhookStore['scope']): Promise<WebhookStore> {
    await pool.query(WEBHOOK_DDL);
    return new WebhookStore(pool, scope);
  }

  store(event: AcceptedWebhookEvent, rawBody: Uint8Array, receivedAtMs: number): Promise<Stored> {
    return inTransaction(this.pool, async (client) => {
      const fresh = await client.query(`insert into gw_webhook_events (event_id, subject, type, sequence) values ($1, $2, $3, 0) on conflict do nothing`,
        [event.id, event.subject, event.type]);
      if (fresh.rowCount === 0) {
        const { rows } = await client.query<{ sequence: number }>('select sequence from gw_webhook_events where event_id = $1', [event.id]);
        return { id: event.id, sequence: rows[0]?.sequence ?? 0, duplicate: true };
      }
      const sequence = await this.nextSequence(client, event);
      const visited = isQueueVisitScoped(event) ? { ...event, data: await this.withQueueVisit(client, event) } : event;
      await writeOutbox(client, [await this.rawFrame(client, rawBody, receivedAtMs), this.canonical(visited, sequence)]);
      return { id: event.id, sequence, duplicate: false };
    });
  }

  private async nextSequence(client: PoolClient, event: AcceptedWebhookEvent): Promise<number> {
    const { rows } = await client.query<{ sequence: number }>(`insert into gw_webhook_sequences (subject, sequence) values ($1, 1)
      on conflict (subject) do update set sequence = gw_webhook_sequences.sequence + 1 returning sequence`, [`${event.type.split('.')[2]}:${event.subject}`]);
    await client.query('update gw_webhook_events set sequence = $2 where event_id = $1', [event.id, rows[0].sequence]);
    return rows[0].sequence;
  }

  /** Fills `queueVisit` from the call's visits so far; the subject's sequence row lock already orders concurrent posts. */
  private async withQueueVisit(client: PoolClient, event: AcceptedWebhookEvent): Promise<Record<string, unknown>> {
    const { rows } = await client.query<{ visits: number }>('select visits from gw_webhook_queue_visits where subject = $1', [event.subject]);
    const { data, visits } = queueVisitOf(event, rows[0]?.visits ?? 0);
    await client.query(`insert into gw_webhook_queue_visits (subject, visits) values ($1, $2)
      on conflict (subject) do update set visits = excluded.visits`, [event.subject, visits]);
    return data;
  }

  private async rawFrame(client: PoolClient, body: Uint8Array, receivedAtMs: number): Promise<OutboxMessage> {
    const { rows } = await client.query<{ frame_sequence: string }>(`insert into gw_link_state (pbx_link_id, frame_sequence) values ($1, 1)
      on conflict (pbx_link_id) do update set frame_sequence = gw_link_state.frame_sequence + 1 returning frame_sequence`, [this.scope.pbxLinkId]);
    const raw = encodePbxRawFrame({
      id: systemEnvelopeDeps.newId(), tenant: this.scope.tenant, site: this.scope.site, pbxLinkId: this.scope.pbxLinkId, protocol: 'webhook',
      receivedAt: new Date(receivedAtMs).toISOString(), sequence: Number(rows[0].frame_sequence), payload: Buffer.from(body),
    });
    return { ...raw, topic: this.topicOf(Topics.telephonyPbxRaw.name) };
  }

  private canonical(e: AcceptedWebhookEvent, sequence: number): OutboxMessage {
    const envelope = createEnvelope(e.definition, {
      service: this.scope.service, site: this.scope.site, tenant: this.scope.tenant, subject: e.subject, sequence, data: e.data as never, id: e.id, time: e.time,
    });
    const record = toKafkaRecord(envelope as AnyEvent);
    return { ...record, topic: this.topicOf(record.topic) };
  }

  private topicOf(registryTopic: string): string {
    return this.scope.topicOverrides?.[registryTopic] ?? registryTopic;
  }
}
