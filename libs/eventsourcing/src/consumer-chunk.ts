import { Link, SpanKind, trace } from '@opentelemetry/api';
import type { DlqReason } from '@switchboard/contracts';
import { extractTraceContext, TRACER_NAME, withSpan } from '@switchboard/service-kit';
import type { KafkaMessage } from 'kafkajs';
import type { PoolClient, QueryResult } from 'pg';
import type { BatchItem, ConsumerRunnerOptions, DecodedMessage, MessageContext } from './consumer-runner';
import { PoisonMessage } from './dead-letter';

export interface DeadLetter { message: KafkaMessage; reason: DlqReason; error: string; attempts: number }
export interface ChunkOutcome { applied: number; ignored: string[]; deadLetters: DeadLetter[] }
type AfterCommitTask = () => Promise<void>;
/** One partition's share of a chunk. */
export interface ChunkPart { topic: string; partition: number; messages: KafkaMessage[] }
/** Each part's outcome, plus the after-commit tasks of the work that was kept (not rolled back to its savepoint). */
export interface AppliedParts { outcomes: ChunkOutcome[]; afterCommit: AfterCommitTask[] }
interface Candidate<T> { message: KafkaMessage; decoded: DecodedMessage<T>; where: Where; part: number }
interface Where { client: PoolClient; topic: string; partition: number }

/**
 * What the caller already did in the chunk's transaction: `begun` (its `begin` was sent) and `batchSavepoint` (the
 * batch handler's savepoint `sb_batch` was taken). What is left of the opening travels in one round trip with the
 * event-id claims: `begin`, claims and savepoint are one wake-up of Postgres instead of three (ADR 0017).
 */
export interface ChunkOpening { begun: boolean; batchSavepoint: boolean }

/**
 * Applies a chunk, of one partition or of several applied together, inside the caller's transaction: decode, drop
 * event ids this group already applied, then the batch handler (if any) once for all of it in one savepoint, falling
 * back to one savepoint per message so a bad message is isolated.
 */
export async function applyMessages<T>(o: ConsumerRunnerOptions<T>, client: PoolClient, parts: ChunkPart[], opening: ChunkOpening): Promise<AppliedParts> {
  const outcomes: ChunkOutcome[] = parts.map(() => ({ applied: 0, ignored: [], deadLetters: [] }));
  const afterCommit: AfterCommitTask[] = [];
  const decoded = parts.flatMap((p, i) => decodeAll(o, { client, topic: p.topic, partition: p.partition }, i, p.messages, outcomes[i]));
  const dedupe = o.dedupeEventIds !== false;
  const savepoint = o.handleBatch !== undefined && !opening.batchSavepoint && decoded.length > 0;
  const fresh = await openAndClaim(o.groupId, client, dedupe ? decoded : [], { begin: !opening.begun, savepoint });
  const candidates = dedupe ? fresh : firstOfEachId(decoded);
  const failed = new Set<Candidate<T>>();
  if (!(o.handleBatch && (await tryBatch(o, candidates, afterCommit)))) {
    for (const c of candidates) {
      const failure = await applyOne(o, c, afterCommit);
      if (failure) { outcomes[c.part].deadLetters.push(failure); failed.add(c); }
    }
  }
  // A dead-lettered event was not applied: forget its id so a replay from the DLQ (after a fix) is not skipped.
  if (dedupe && failed.size) {
    await client.query('delete from es_consumer_processed where consumer_group = $1 and event_id = any($2::text[])', [o.groupId, [...failed].map((c) => c.decoded.eventId)]);
  }
  for (const c of candidates) if (!failed.has(c)) outcomes[c.part].applied++;
  return { outcomes, afterCommit };
}

function decodeAll<T>(o: ConsumerRunnerOptions<T>, where: Where, part: number, messages: KafkaMessage[], outcome: ChunkOutcome): Candidate<T>[] {
  const out: Candidate<T>[] = [];
  for (const message of messages) {
    try {
      const decoded = o.decode(message, where.topic);
      if ('ignored' in decoded) outcome.ignored.push(decoded.ignored);
      else out.push({ message, decoded, where, part });
    } catch (e) {
      if (!(e instanceof PoisonMessage)) throw e;
      outcome.deadLetters.push({ message, reason: e.reason, error: e.message, attempts: 0 });
    }
  }
  return out;
}

/**
 * One round trip, simple protocol (values inlined): what is left of the transaction's opening (`begin`), the chunk's
 * event ids recorded as processed, and the batch savepoint taken after them (a failed batch rolls back to it and keeps
 * the claims). Returns the first occurrence of each id not seen before; none when there is nothing to claim.
 */
async function openAndClaim<T>(groupId: string, client: PoolClient, candidates: Candidate<T>[], open: { begin: boolean; savepoint: boolean }): Promise<Candidate<T>[]> {
  const lit = (v: string) => client.escapeLiteral(v);
  const claim = candidates.length === 0 ? null : `insert into es_consumer_processed (consumer_group, event_id)
    select ${lit(groupId)}, unnest(array[${candidates.map((c) => lit(c.decoded.eventId)).join(', ')}]::text[])
    on conflict do nothing returning event_id`;
  const statements = [open.begin ? 'begin' : null, claim, open.savepoint ? 'savepoint sb_batch' : null].filter((x) => x !== null);
  if (statements.length === 0) return [];
  const result = (await client.query(statements.join(';\n'))) as unknown as QueryResult<{ event_id: string }> | QueryResult<{ event_id: string }>[];
  if (claim === null) return [];
  const claimed = (Array.isArray(result) ? result : [result]).find((r) => r.command === 'INSERT')!;
  const fresh = new Set(claimed.rows.map((r) => r.event_id));
  return candidates.filter((c) => fresh.delete(c.decoded.eventId));
}

/** Without the id table: a chunk still applies each event id once (a republished event may land in the same chunk). */
function firstOfEachId<T>(candidates: Candidate<T>[]): Candidate<T>[] {
  const seen = new Set<string>();
  return candidates.filter((c) => !seen.has(c.decoded.eventId) && seen.add(c.decoded.eventId));
}

const item = <T>(c: Candidate<T>): BatchItem<T> => ({
  value: c.decoded.value, eventId: c.decoded.eventId, offset: c.message.offset, headers: c.message.headers ?? {}, topic: c.where.topic, partition: c.where.partition,
});

async function tryBatch<T>(o: ConsumerRunnerOptions<T>, fresh: Candidate<T>[], kept: AfterCommitTask[]): Promise<boolean> {
  if (fresh.length === 0) return true;
  // Several partitions applied together: the context names the first; each item carries its own.
  const w = fresh[0].where; // its savepoint sb_batch was taken when the chunk's transaction opened (applyMessages)
  const tasks: AfterCommitTask[] = [];
  try {
    const links: Link[] = fresh.map((c) => trace.getSpanContext(extractTraceContext(c.message.headers))).filter((s) => s !== undefined).map((context) => ({ context }));
    await trace.getTracer(TRACER_NAME).startActiveSpan(`${w.topic} process`, { kind: SpanKind.CONSUMER, links, attributes: spanAttributes(w, fresh.length) }, async (span) => {
      try { await o.handleBatch!(fresh.map(item), { ...w, afterCommit: (t) => tasks.push(t) }); } finally { span.end(); }
    });
    // Not released: nothing follows it but the commit, which releases it (a release would be one more round trip).
    kept.push(...tasks);
    return true;
  } catch {
    await w.client.query('rollback to savepoint sb_batch');
    return false;
  }
}

/** One message in a savepoint, retried; its CONSUMER span is a child of the producer's context from the headers. */
async function applyOne<T>(o: ConsumerRunnerOptions<T>, c: Candidate<T>, kept: AfterCommitTask[]): Promise<DeadLetter | undefined> {
  const w = c.where;
  const maxAttempts = o.maxAttempts ?? 3;
  const handle = o.handle ?? ((value: T, ctx: MessageContext) => o.handleBatch!([item(c)], ctx));
  let lastError = '';
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    await w.client.query('savepoint sb_message');
    const tasks: AfterCommitTask[] = [];
    try {
      const headers = c.message.headers ?? {};
      await withSpan(`${w.topic} process`, SpanKind.CONSUMER, { ...spanAttributes(w, 1), 'messaging.kafka.offset': Number(c.message.offset) },
        () => handle(c.decoded.value, { ...w, offset: c.message.offset, headers, afterCommit: (t) => tasks.push(t) }), extractTraceContext(headers));
      await w.client.query('release savepoint sb_message');
      kept.push(...tasks);
      return undefined;
    } catch (e) {
      await w.client.query('rollback to savepoint sb_message');
      lastError = (e as Error).message;
    }
  }
  return { message: c.message, reason: 'handler-error', error: `after ${maxAttempts} attempts: ${lastError}`, attempts: maxAttempts };
}

const spanAttributes = (w: Where, count: number) => ({
  'messaging.system': 'kafka', 'messaging.operation.type': 'process', 'messaging.destination.name': w.topic,
  'messaging.destination.partition.id': String(w.partition), 'messaging.batch.message_count': count,
});
