import type { Pool, PoolClient } from 'pg';
import { inTransaction } from '@switchboard/eventsourcing';
import { RoutingEngine } from '../domain/routing-engine';
import type { RoutingInput } from '../domain/routing-inputs';
import type { RoutingDecision } from '../domain/routing-decision.events';
import { queueStateOf, type QueueStateView } from '../domain/queue-state';

/**
 * Common table expressions (`name as (...)`, comma-separated) of a chunk's one write statement, with their values,
 * numbering their parameters from `firstParam`. A single statement is atomic and runs all its data-modifying CTEs,
 * so a chunk's inputs and decisions are written in one round trip.
 */
export type StatementPart = (firstParam: number) => { readonly ctes: string; readonly values: readonly unknown[] };

/** The parts as one statement, each part's parameters numbered after the previous part's. */
export function oneStatement(parts: readonly StatementPart[]): { text: string; values: unknown[] } {
  const ctes: string[] = [];
  const values: unknown[] = [];
  for (const part of parts) {
    const written = part(values.length + 1);
    ctes.push(written.ctes);
    values.push(...written.values);
  }
  return { text: `with ${ctes.join(', ')} select 1`, values };
}

/** Where decisions go, inside the transaction of the inputs that caused them (event store and outbox). */
export interface DecisionSink {
  /**
   * Reads what writing the decisions of several inputs (in the order they were made) needs and returns the write,
   * set-based, as a part of the chunk's statement; null for no decisions.
   */
  prepareRecord(client: PoolClient, decisions: readonly RoutingDecision[]): Promise<StatementPart | null>;
  /** The offer (`CallAssigned.offerSeq`) each published assignment event carried; ids not ours are absent. */
  offersOf(client: PoolClient, assignmentEventIds: readonly string[]): Promise<ReadonlyMap<string, number>>;
}

/** One journal entry: the input as the engine applied it and the wall time it was applied at. */
export interface JournalEntry { readonly seq: number; readonly input: RoutingInput; readonly wallMs: number }

/** The ordered log of engine inputs (see InputJournal). */
export interface InputLog {
  /** Takes the journal lock (held until the transaction ends) and then reads the journal's head. */
  lockedHead(client: PoolClient): Promise<number>;
  /** The append of consecutive entries, as a part of the chunk's statement. */
  appendPart(entries: readonly JournalEntry[]): StatementPart;
  /** `wallMs`: the wall clock when the input was applied (null on entries older than that column). */
  readAfter(client: PoolClient, afterSeq: number): AsyncIterable<{ seq: number; input: RoutingInput; wallMs: number | null }>;
}

/** The engine after the journal entry `seq`, with that entry's event time and wall time (the routing clock runs on from them). */
export interface EngineSnapshot { readonly seq: number; readonly engine: RoutingEngine; readonly at: number; readonly wallMs: number }

/** Engine snapshots (see PostgresSnapshotStore): a restart resumes the latest and replays only the journal after it. */
export interface SnapshotStore {
  latest(client: PoolClient): Promise<EngineSnapshot | undefined>;
  /** Also prunes what the snapshot makes redundant (journal rows and snapshots below it, past their retention). */
  write(client: PoolClient, snapshot: EngineSnapshot): Promise<void>;
}

/** A snapshot is written after `everyInputs` inputs, or `everyMs` of wall time if any input came since the last. */
export interface Snapshotting { readonly store: SnapshotStore; readonly everyInputs: number; readonly everyMs: number }

/**
 * The one in-process engine of this replica. Every input is journaled and its decisions recorded in one
 * transaction, under the journal lock, so the engine is always the fold of the committed journal: after a crash
 * or a rolled-back transaction it is rebuilt by replaying the journal, and replayed inputs record nothing (their
 * decisions committed with them), so no call is ever assigned twice.
 */
export class LiveRouter {
  private current = new RoutingEngine();
  private seq = 0;
  private lastAt = Number.NEGATIVE_INFINITY;
  /** Wall time when the engine last reached `lastAt`: the routing clock runs on from there (ADR 0007). */
  private lastAtWall = 0;
  private readonly listeners = new Set<() => void>();
  /** The seq of the latest snapshot this replica knows of, and the wall time it was written or found at. */
  private snapshotSeq = 0;
  private snapshotWall = 0;

  /**
   * `wallClock` only measures how much time passed since the latest input; `speed` is simulated (PBX) ms per wall
   * ms (1 in production, the simulator's compression in tests).
   */
  constructor(private readonly pool: Pool, private readonly journal: InputLog, private readonly sink: DecisionSink,
    private readonly wallClock: () => number, private readonly speed = 1, private readonly snapshots?: Snapshotting) {}

  /**
   * Routing's clock follows event time (ADR 0007): the time of the latest input, advanced by the wall time since
   * then × speed. With nothing journaled yet it is the wall clock.
   */
  readonly clock = (): number => {
    const wall = this.wallClock();
    if (this.lastAt === Number.NEGATIVE_INFINITY) return wall;
    return this.lastAt + Math.max(0, wall - this.lastAtWall) * this.speed;
  };

  /** The offers published assignment events carried (for the gateway's CallAssignmentFailed). */
  offersOf(client: PoolClient, assignmentEventIds: readonly string[]): Promise<ReadonlyMap<string, number>> {
    return assignmentEventIds.length === 0 ? Promise.resolve(new Map()) : this.sink.offersOf(client, assignmentEventIds);
  }

  get engine(): RoutingEngine {
    return this.current;
  }

  apply(input: RoutingInput): Promise<readonly RoutingDecision[]> {
    return inTransaction(this.pool, (client) => this.applyWithin(client, input));
  }

  /** Applies `input` inside the caller's transaction (a consumer's, so offsets commit with the input). */
  async applyWithin(client: PoolClient, input: RoutingInput): Promise<readonly RoutingDecision[]> {
    return (await this.applyAllWithin(client, [input])).flat();
  }

  /**
   * Applies `inputs` in order inside the caller's transaction (a consumer chunk's, so offsets commit with them) and
   * writes them and all their decisions in three round trips, whatever their count: the journal lock and head, the
   * decisions' stream heads (none without decisions), and one statement for the journal rows, events, offers and
   * outbox rows (plus a snapshot when one is due). Returns each input's decisions.
   */
  async applyAllWithin(client: PoolClient, inputs: readonly RoutingInput[]): Promise<RoutingDecision[][]> {
    if (inputs.length === 0) return [];
    await this.catchUp(client, await this.journal.lockedHead(client));
    const entries: JournalEntry[] = [];
    const decisions: RoutingDecision[][] = [];
    try {
      for (const input of inputs) {
        // Event times come from several sources (PBX clocks, the tick); the engine needs them never to go back.
        const stamped = { ...input, at: Math.max(this.lastAt, input.at) } as RoutingInput;
        // Counted before handling: if the engine or the transaction fails, the journal is behind and we rebuild.
        this.seq += 1;
        decisions.push(this.current.handle(stamped));
        this.advancedTo(stamped.at, this.wallClock());
        entries.push({ seq: this.seq, input: stamped, wallMs: this.lastAtWall });
      }
      const record = await this.sink.prepareRecord(client, decisions.flat());
      const write = oneStatement([this.journal.appendPart(entries), ...(record === null ? [] : [record])]);
      await client.query(write.text, write.values);
      await this.snapshotIfDue(client);
    } finally {
      this.changed();
    }
    return decisions;
  }

  /** Resumes the latest snapshot and replays the committed journal after it into the engine (on start). */
  restore(): Promise<void> {
    return inTransaction(this.pool, async (client) => {
      await this.catchUp(client, await this.journal.lockedHead(client));
      this.snapshotWall = this.wallClock();
    });
  }

  /** Clock input: journaled only when a policy step may have expired, so idle ticks cost nothing. */
  async tick(now: number): Promise<void> {
    const due = this.current.nextExpiryAt();
    if (due !== undefined && due <= now) await this.apply({ type: 'TimeAdvanced', at: now });
  }

  queueState(queueId: string): QueueStateView {
    return queueStateOf(this.current.book, queueId, this.clock());
  }

  knownQueueIds(): string[] {
    const ids = new Set<string>();
    for (const c of this.current.book.calls.values()) ids.add(c.queueId);
    for (const a of this.current.book.agents.values()) a.queueIds.forEach((q) => ids.add(q));
    return [...ids].sort();
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** `head`: the journal's head, read under the journal lock. */
  private async catchUp(client: PoolClient, head: number): Promise<void> {
    if (head === this.seq) return;
    // A snapshot is committed with the journal up to its seq, so it is never ahead of `head`; rows below it may be pruned.
    const snapshot = await this.snapshots?.store.latest(client);
    if (snapshot !== undefined && (head < this.seq || snapshot.seq > this.seq)) this.resume(snapshot);
    else if (head < this.seq) this.reset();
    for await (const { seq, input, wallMs } of this.journal.readAfter(client, this.seq)) {
      this.current.handle(input);
      this.seq = seq;
      // The clock runs on from when the input was applied, so a restart does not set it back by the downtime.
      this.advancedTo(input.at, wallMs ?? this.wallClock());
    }
    this.changed();
  }

  private advancedTo(at: number, wallMs: number): void {
    this.lastAt = at;
    this.lastAtWall = wallMs;
  }

  private reset(): void {
    this.current = new RoutingEngine();
    this.seq = 0;
    this.lastAt = Number.NEGATIVE_INFINITY;
    this.snapshotSeq = 0;
  }

  private resume({ engine, seq, at, wallMs }: EngineSnapshot): void {
    this.current = engine;
    this.seq = seq;
    this.advancedTo(at, wallMs);
    this.snapshotSeq = seq;
    this.snapshotWall = this.wallClock();
  }

  /** In the inputs' transaction, under the journal lock: a rolled-back snapshot goes with its inputs (and the engine is rebuilt). */
  private async snapshotIfDue(client: PoolClient): Promise<void> {
    if (this.snapshots === undefined || this.seq === this.snapshotSeq) return;
    const wall = this.wallClock();
    if (this.seq - this.snapshotSeq < this.snapshots.everyInputs && wall - this.snapshotWall < this.snapshots.everyMs) return;
    await this.snapshots.store.write(client, { seq: this.seq, engine: this.current, at: this.lastAt, wallMs: this.lastAtWall });
    this.snapshotSeq = this.seq;
    this.snapshotWall = wall;
  }

  private changed(): void {
    this.listeners.forEach((l) => l());
  }
}
