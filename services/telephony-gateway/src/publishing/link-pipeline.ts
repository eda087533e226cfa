import { inTransaction, writeOutbox } from '@switchboard/eventsourcing';
import type { Pool, PoolClient } from 'pg';
import type { AgentSession } from '../call-tracking/domain/agent.state';
import { CallCenterTracker } from '../call-tracking/domain/call-center.tracker';
import type { CallState } from '../call-tracking/domain/call.state';
import { prepareBatch, type BatchContext, type LinkCounters, type PipelineItem, type PreparedBatch } from './prepare-batch';

export interface PipelineOptions {
  readonly pool: Pool;
  readonly batch: BatchContext;
  /** Called with true when the queue is too long (pause the socket), false when it drained. */
  readonly backpressure: (paused: boolean) => void;
  readonly onParseError?: (e: PreparedBatch['parseErrors'][number]) => void;
  readonly onWriteError?: (e: Error) => void;
  readonly maxBatch?: number;
}

const HIGH_WATER = 20_000;
const LOW_WATER = 2_000;

/**
 * Serialises everything received on one link into Postgres transactions (raw frames + canonical events in the
 * outbox, state, caller numbers). While Postgres is unreachable the batch is retried and the socket paused; while
 * Kafka is unreachable nothing changes here: the outbox relay drains later, in order.
 */
export class LinkPipeline {
  private queue: PipelineItem[] = [];
  private draining: Promise<void> | null = null;
  private paused = false;
  framesCommitted = 0;
  canonicalCommitted = 0;
  parseErrors = 0;

  private constructor(private readonly o: PipelineOptions, private readonly tracker: CallCenterTracker, private counters: LinkCounters) {}

  static async open(o: PipelineOptions): Promise<LinkPipeline> {
    const link = o.batch.decision.pbxLinkId;
    const { rows } = await o.pool.query<{ kind: string; subject: string; state: unknown }>('select kind, subject, state from gw_subject_state where pbx_link_id = $1', [link]);
    const calls = new Map(rows.filter((r) => r.kind === 'call').map((r) => [r.subject, r.state as CallState]));
    const agents = new Map(rows.filter((r) => r.kind === 'agent').map((r) => [r.subject, r.state as AgentSession]));
    const c = await o.pool.query<{ frame_sequence: string; link_sequence: number; down_since: Date | null }>('select * from gw_link_state where pbx_link_id = $1', [link]);
    const counters = c.rows[0]
      ? { frameSequence: Number(c.rows[0].frame_sequence), linkSequence: c.rows[0].link_sequence, downSinceMs: c.rows[0].down_since?.getTime() ?? null }
      : { frameSequence: 0, linkSequence: 0, downSinceMs: null };
    return new LinkPipeline(o, new CallCenterTracker(o.batch.decision, { calls, agents }), counters);
  }

  push(item: PipelineItem): void {
    this.queue.push(item);
    if (!this.paused && this.queue.length > HIGH_WATER) { this.paused = true; this.o.backpressure(true); }
    this.draining ??= this.drain().finally(() => { this.draining = null; });
  }

  /** Resolves when everything pushed so far is committed. */
  async flush(): Promise<void> {
    while (this.draining !== null) await this.draining;
  }

  get trackerSize() { return this.tracker.size; }
  get backlog() { return this.queue.length; }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const items = this.queue.splice(0, this.o.maxBatch ?? 500);
      const prepared = prepareBatch(items, this.tracker, this.counters, this.o.batch);
      await this.writeWithRetry(prepared);
      this.counters = prepared.counters;
      this.framesCommitted += items.length;
      this.canonicalCommitted += prepared.canonicalCount;
      this.parseErrors += prepared.parseErrors.length;
      prepared.parseErrors.forEach((e) => this.o.onParseError?.(e));
      if (this.paused && this.queue.length < LOW_WATER) { this.paused = false; this.o.backpressure(false); }
    }
  }

  private async writeWithRetry(p: PreparedBatch): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await inTransaction(this.o.pool, (client) => this.write(client, p));
        return;
      } catch (e) {
        this.o.onWriteError?.(e as Error);
        if (!this.paused) { this.paused = true; this.o.backpressure(true); }
        await new Promise((r) => setTimeout(r, Math.min(5000, 200 * 2 ** attempt)));
      }
    }
  }

  private async write(client: PoolClient, p: PreparedBatch): Promise<void> {
    const link = this.o.batch.decision.pbxLinkId;
    if (p.outbox.length > 0) await writeOutbox(client, p.outbox);
    const states = [...p.changes.calls.map(([k, s]) => ['call', k, s] as const), ...p.changes.agents.map(([k, s]) => ['agent', k, s] as const)];
    const [kept, gone] = [states.filter(([, , s]) => s !== undefined), states.filter(([, , s]) => s === undefined)];
    if (kept.length > 0) {
      await client.query(`insert into gw_subject_state (pbx_link_id, kind, subject, state)
        select $1, * from unnest($2::text[], $3::text[], $4::jsonb[]) on conflict (pbx_link_id, kind, subject) do update set state = excluded.state, updated_at = now()`,
      [link, kept.map((s) => s[0]), kept.map((s) => s[1]), kept.map((s) => JSON.stringify(s[2]))]);
    }
    if (gone.length > 0) {
      await client.query(`delete from gw_subject_state s using unnest($2::text[], $3::text[]) as g(kind, subject)
        where s.pbx_link_id = $1 and s.kind = g.kind and s.subject = g.subject`, [link, gone.map((s) => s[0]), gone.map((s) => s[1])]);
    }
    if (p.callers.length > 0) {
      await client.query(`insert into gw_caller_numbers (call_id, caller_number, caller_hash) select * from unnest($1::text[], $2::text[], $3::text[]) on conflict do nothing`,
        [p.callers.map((c) => c.callId), p.callers.map((c) => c.number), p.callers.map((c) => c.hash)]);
    }
    if (p.channels.length > 0) {
      const channels = [...new Map(p.channels.map((c) => [c.callId, c])).values()];
      await client.query(`insert into gw_call_channels (call_id, channel, joined_at) select * from unnest($1::text[], $2::text[], $3::timestamptz[])
        on conflict (call_id) do update set channel = excluded.channel, joined_at = excluded.joined_at`,
      [channels.map((c) => c.callId), channels.map((c) => c.channel), channels.map((c) => new Date(c.joinedAtMs))]);
    }
    const goneCalls = gone.filter(([kind]) => kind === 'call').map(([, subject]) => `${link}:${subject}`);
    if (goneCalls.length > 0) await client.query('delete from gw_call_channels where call_id = any($1::text[])', [goneCalls]);
    await client.query(`insert into gw_link_state (pbx_link_id, frame_sequence, link_sequence, down_since) values ($1, $2, $3, $4)
      on conflict (pbx_link_id) do update set frame_sequence = excluded.frame_sequence, link_sequence = excluded.link_sequence, down_since = excluded.down_since`,
    [link, p.counters.frameSequence, p.counters.linkSequence, p.counters.downSinceMs === null ? null : new Date(p.counters.downSinceMs)]);
  }
}
