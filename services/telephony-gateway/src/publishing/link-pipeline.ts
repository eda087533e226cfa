import { Topics } from '@switchboard/contracts';
import { outboxBatchCtes, packOutboxRecords, type OutboxMessage } from '@switchboard/eventsourcing';
import type { Pool } from 'pg';
import type { AgentSession } from '../call-tracking/domain/agent.state';
import type { Settlement } from '../routing-execution/domain/assignment-outcome';
import { CallCenterTracker } from '../call-tracking/domain/call-center.tracker';
import type { CallState } from '../call-tracking/domain/call.state';
import type { DropWatchState } from '../call-tracking/domain/frequent-drops.decider';
import type { LinkFence } from '../link-lease/domain/link-fence';
import { prepareBatch, type BatchContext, type LinkCounters, type PipelineItem, type PreparedBatch } from './prepare-batch';

export interface PipelineOptions {
  readonly pool: Pool;
  readonly batch: BatchContext;
  /** The lease epoch every batch statement checks (ADR 0018); told once when a write is fenced. */
  readonly fence: LinkFence;
  /** Called with true when the queue is too long (pause the socket), false when it drained. */
  readonly backpressure: (paused: boolean) => void;
  readonly onParseError?: (e: PreparedBatch['parseErrors'][number]) => void;
  readonly onWriteError?: (e: Error) => void;
  /** Most items per transaction (default 500). */
  readonly maxBatch?: number;
  /** Items waiting above which the socket is paused (default 20,000); resumed below a tenth of it. */
  readonly highWater?: number;
  /**
   * After this long without anything received while calls that ended wait for what follows (an after-call-work
   * pause), the agents' next states are decided without it. Absent: only later PBX facts decide.
   */
  readonly quietSettleMs?: number;
  /**
   * Stores a batch's raw-archive records as packed outbox rows (one row per up to 64 KiB of frames instead of one
   * per frame; ADR 0012). Default true; false only for comparisons (benchmark A/B).
   */
  readonly packRawFrames?: boolean;
}

/** Where the link's drop watch is kept (with the tracked subjects, under a kind of its own). */
const DROP_WATCH = { kind: 'link', subject: 'drop-watch' } as const;

const HIGH_WATER = 20_000;

/** A settlement that will never be committed: the link's writes were fenced (another replica holds it now). */
export class LinkFencedError extends Error {
  constructor(readonly pbxLinkId: string, readonly epoch: string) {
    super(`PBX link ${pbxLinkId}: lease epoch ${epoch} is no longer current; another replica holds the link`);
    this.name = 'LinkFencedError';
  }
}

/**
 * Serialises everything received on one link into Postgres transactions (raw frames + canonical events in the
 * outbox, state, caller numbers). While Postgres is unreachable the batch is retried and the socket paused; while
 * Kafka is unreachable nothing changes here: the outbox relay drains later, in order. Once a batch is fenced (the
 * lease's epoch moved on) nothing more is written: what is queued belongs to the new holder, who resyncs from the PBX.
 */
export class LinkPipeline {
  private queue: PipelineItem[] = [];
  private draining: Promise<void> | null = null;
  private paused = false;
  private quietTimer: NodeJS.Timeout | null = null;
  private batches = 0;
  /** Items pushed and items committed since open, in push order: what `settle` waits on. */
  private pushed = 0;
  private committedItems = 0;
  private commitWaiters: { upTo: number; resolve: () => void; reject: (e: Error) => void }[] = [];
  private closed = false;
  private fencedBy: LinkFencedError | null = null;
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
    const drops = rows.find((r) => r.kind === DROP_WATCH.kind && r.subject === DROP_WATCH.subject)?.state as DropWatchState | undefined;
    const counters: LinkCounters = c.rows[0]
      ? { frameSequence: Number(c.rows[0].frame_sequence), linkSequence: c.rows[0].link_sequence, downSinceMs: c.rows[0].down_since?.getTime() ?? null, drops }
      : { frameSequence: 0, linkSequence: 0, downSinceMs: null, drops };
    return new LinkPipeline(o, new CallCenterTracker(o.batch.decision, { calls, agents }), counters);
  }

  push(item: PipelineItem): void {
    if (this.fencedBy !== null) return;
    this.queue.push(item);
    this.pushed++;
    if (!this.paused && this.queue.length > (this.o.highWater ?? HIGH_WATER)) { this.paused = true; this.o.backpressure(true); }
    this.draining ??= this.drain().finally(() => { this.draining = null; });
  }

  /** Commits a routing assignment's outcome in the call's sequence, with its row update; resolves once committed. */
  settle(s: Settlement): Promise<void> {
    if (this.fencedBy !== null) return Promise.reject(this.fencedBy);
    this.push({ item: s, receivedAtMs: s.event.at });
    const upTo = this.pushed;
    // Waits for the batch holding this item only: under a steady stream of frames the pipeline never drains, so
    // waiting for a full flush would hold every assignment back indefinitely.
    return new Promise((resolve, reject) => this.commitWaiters.push({ upTo, resolve, reject }));
  }

  /** Resolves when everything pushed so far is committed. */
  async flush(): Promise<void> {
    while (this.draining !== null) await this.draining;
  }

  private releaseCommitWaiters(): void {
    const done = this.commitWaiters.filter((w) => w.upTo <= this.committedItems);
    if (done.length === 0) return;
    this.commitWaiters = this.commitWaiters.filter((w) => w.upTo > this.committedItems);
    done.forEach((w) => w.resolve());
  }

  /** Stops deciding on quiet (the link is stopping); what is pending stays in the state for the next start. */
  close(): void {
    this.closed = true;
    if (this.quietTimer !== null) clearTimeout(this.quietTimer);
    this.quietTimer = null;
  }

  get trackerSize() { return this.tracker.size; }
  get backlog() { return this.queue.length; }
  /** True once a write was fenced: this pipeline writes nothing more. */
  get fenced(): boolean { return this.fencedBy !== null; }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const items = this.queue.splice(0, this.o.maxBatch ?? 500);
      const prepared = prepareBatch(items, this.tracker, this.counters, this.o.batch);
      if (await this.writeWithRetry(prepared) === 'fenced') return this.stopFenced(items.length);
      this.committedItems += items.length;
      this.releaseCommitWaiters();
      this.counters = prepared.counters;
      this.batches++;
      this.framesCommitted += items.reduce((n, i) => (i.item.kind === 'quiet' ? n : n + 1), 0);
      this.canonicalCommitted += prepared.canonicalCount;
      this.parseErrors += prepared.parseErrors.length;
      prepared.parseErrors.forEach((e) => this.o.onParseError?.(e));
      if (this.paused && this.queue.length < (this.o.highWater ?? HIGH_WATER) / 10) { this.paused = false; this.o.backpressure(false); }
    }
    this.watchQuiet();
  }

  /** Once nothing has been received for `quietSettleMs` while call ends wait for what follows, decides them. */
  private watchQuiet(): void {
    const quietMs = this.o.quietSettleMs;
    if (quietMs === undefined || this.closed || this.quietTimer !== null || this.tracker.pendingCompletions === 0) return;
    const seen = this.batches;
    this.quietTimer = setTimeout(() => {
      this.quietTimer = null;
      if (this.closed) return;
      if (this.batches === seen && this.queue.length === 0) this.push({ item: { kind: 'quiet' }, receivedAtMs: Date.now() });
      else this.watchQuiet();
    }, quietMs);
    this.quietTimer.unref();
  }

  /**
   * Stops for good after a fenced batch: the batch and the queue are dropped (never written by this replica), the
   * settlements waiting on them fail, and the fence is told once, which stops the link as a lost lease does.
   */
  private stopFenced(batchSize: number): void {
    const error = new LinkFencedError(this.o.fence.pbxLinkId, this.o.fence.epoch);
    const dropped = batchSize + this.queue.length;
    this.fencedBy = error;
    this.queue = [];
    this.close();
    this.commitWaiters.splice(0).forEach((w) => w.reject(error));
    this.o.fence.fenced(`${error.message}; ${dropped} items not written`);
  }

  private async writeWithRetry(p: PreparedBatch): Promise<'written' | 'fenced'> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.write(p);
        return 'written';
      } catch (e) {
        if (isFencedWrite(e)) return 'fenced';
        this.o.onWriteError?.(e as Error);
        if (!this.paused) { this.paused = true; this.o.backpressure(true); }
        await new Promise((r) => setTimeout(r, Math.min(5000, 200 * 2 ** attempt)));
      }
    }
  }

  /**
   * The outbox rows and every piece of state in ONE statement, atomic on its own: one round trip per batch (an
   * explicit transaction would take five, each a wake-up of two processes on the frame's way to Kafka). A routing
   * settlement's execution row is updated in the same statement: at the closed loop's rate a third of the batches
   * hold one, and a transaction for them made those batches (and the caller joins queued behind them) 4 round trips
   * long (ADR 0016).
   */
  private packedRaw(outbox: readonly OutboxMessage[]): OutboxMessage[] {
    return packRaw(outbox, this.o.batch.topicOverrides?.[Topics.telephonyPbxRaw.name] ?? Topics.telephonyPbxRaw.name);
  }

  private async write(p: PreparedBatch): Promise<void> {
    const link = this.o.batch.decision.pbxLinkId;
    const states = [...p.changes.calls.map(([k, s]) => ['call', k, s] as const), ...p.changes.agents.map(([k, s]) => ['agent', k, s] as const)];
    const kept: { kind: string; subject: string; state: unknown }[] = states.filter(([, , s]) => s !== undefined).map(([kind, subject, state]) => ({ kind, subject, state }));
    if (p.counters.drops !== undefined && p.counters.drops !== this.counters.drops) kept.push({ ...DROP_WATCH, state: p.counters.drops });
    const gone = states.filter(([, , s]) => s === undefined).map(([kind, subject]) => ({ kind, subject }));
    const goneCalls = new Set(gone.filter((g) => g.kind === 'call').map((g) => `${link}:${g.subject}`));
    // One statement sees one snapshot, so a channel recorded and forgotten within the batch is simply not recorded.
    const channels = [...new Map(p.channels.map((c) => [c.callId, c])).values()].filter((c) => !goneCalls.has(c.callId))
      .map((c) => ({ call_id: c.callId, channel: c.channel, joined_at: new Date(c.joinedAtMs).toISOString() }));
    const outbox = outboxBatchCtes(this.o.packRawFrames === false ? p.outbox : this.packedRaw(p.outbox), STATE_PARAMS + 1);
    const text = `with ${FENCE_SQL}, ${outbox === null ? '' : `${outbox.sql},`} ${STATE_SQL}`;
    const values = [link, this.o.fence.epoch, JSON.stringify(kept), JSON.stringify(gone),
      JSON.stringify(p.callers.map((c) => ({ call_id: c.callId, caller_number: c.number, caller_hash: c.hash }))), JSON.stringify(channels), [...goneCalls],
      p.counters.frameSequence, p.counters.linkSequence, p.counters.downSinceMs === null ? null : new Date(p.counters.downSinceMs),
      JSON.stringify(p.executions.map((e) => ({ event_id: e.eventId, status: e.status, reason: e.reason, action: e.action }))), ...(outbox?.values ?? [])];
    await this.o.pool.query(text, values);
  }
}

/** The raw-archive records of a batch (one key: the link; one header) packed into few rows, the other records as they are. */
function packRaw(outbox: readonly OutboxMessage[], rawTopic: string): OutboxMessage[] {
  const raw = outbox.filter((m) => m.topic === rawTopic);
  if (raw.length < 2) return [...outbox];
  return [...packOutboxRecords(rawTopic, raw.map((m) => ({ key: m.key, value: m.value as Buffer, headers: m.headers ?? {} }))), ...outbox.filter((m) => m.topic !== rawTopic)];
}

/** How many parameters FENCE_SQL and STATE_SQL take; the outbox rows' parameters follow them. */
const STATE_PARAMS = 11;

/**
 * The lease check of every batch (ADR 0018), first in the statement: `fence` share-locks the link's lease row while
 * it still carries this holder's epoch ($2), so a new holder's epoch bump waits for this statement to commit;
 * `lease_held` counts it, and the final insert divides by that count: once the epoch moved on the statement fails
 * with division_by_zero and writes nothing at all (outbox rows included). The division sits in the final insert
 * because only data-modifying CTEs and the main statement are sure to run.
 */
const FENCE_SQL = `
fence as (
  select epoch from gw_link_lease where pbx_link_id = $1 and epoch = $2::bigint for share
), lease_held as (
  select count(*) as holders from fence
)`;

/** The SQLSTATE of the fenced batch statement: nothing in it divides but the lease check. */
const FENCED_SQLSTATE = '22012';

function isFencedWrite(e: unknown): boolean {
  return (e as { code?: unknown }).code === FENCED_SQLSTATE;
}

/**
 * The state of one batch (the common table expressions after the outbox rows'). Data-modifying CTEs all run to
 * completion whether or not they are read; `kept` and `gone` name different subjects (a subject's final state is
 * either), so no row is touched twice.
 */
const STATE_SQL = `
kept as (
  insert into gw_subject_state (pbx_link_id, kind, subject, state)
  select $1, k.kind, k.subject, k.state from jsonb_to_recordset($3::jsonb) as k(kind text, subject text, state jsonb)
  on conflict (pbx_link_id, kind, subject) do update set state = excluded.state, updated_at = now()
  returning 1
), gone as (
  delete from gw_subject_state s using jsonb_to_recordset($4::jsonb) as g(kind text, subject text)
   where s.pbx_link_id = $1 and s.kind = g.kind and s.subject = g.subject
  returning 1
), callers as (
  insert into gw_caller_numbers (call_id, caller_number, caller_hash)
  select c.call_id, c.caller_number, c.caller_hash from jsonb_to_recordset($5::jsonb) as c(call_id text, caller_number text, caller_hash text)
  on conflict do nothing
  returning 1
), channels as (
  insert into gw_call_channels (call_id, channel, joined_at)
  select c.call_id, c.channel, c.joined_at from jsonb_to_recordset($6::jsonb) as c(call_id text, channel text, joined_at timestamptz)
  on conflict (call_id) do update set channel = excluded.channel, joined_at = excluded.joined_at
  returning 1
), forgotten_channels as (
  delete from gw_call_channels where call_id = any($7::text[])
  returning 1
), executions as (
  update gw_assignment_executions e set status = x.status, reason = x.reason, action = x.action, finished_at = now()
    from jsonb_to_recordset($11::jsonb) as x(event_id text, status text, reason text, action text)
   where e.event_id = x.event_id and e.status = 'executing'
  returning 1
)
insert into gw_link_state (pbx_link_id, frame_sequence, link_sequence, down_since)
select $1, $8::bigint, $9::integer, $10::timestamptz from lease_held where 1 / holders = 1
on conflict (pbx_link_id) do update set frame_sequence = excluded.frame_sequence, link_sequence = excluded.link_sequence, down_since = excluded.down_since`;
