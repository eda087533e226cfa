import { Link, SpanKind, trace } from '@opentelemetry/api';
import type { DlqReason } from '@switchboard/contracts';
import { extractTraceContext, TRACER_NAME, withSpan } from '@switchboard/service-kit';
import type { KafkaMessage } from 'kafkajs';
import type { PoolClient } from 'pg';
import type { BatchItem, ConsumerRunnerOptions, DecodedMessage } from './consumer-runner';
import { PoisonMessage } from './dead-letter';

export interface DeadLetter { message: KafkaMessage; reason: DlqReason; error: string; attempts: number }
export interface ChunkOutcome { applied: number; ignored: string[]; deadLetters: DeadLetter[] }
interface Candidate<T> { message: KafkaMessage; decoded: DecodedMessage<T> }
interface Where { client: PoolClient; topic: string; partition: number }

/**
 * Applies a chunk inside the caller's transaction: decode, drop event ids this group already applied, then the batch
 * handler (if any) in one savepoint, falling back to one savepoint per message so a bad message is isolated.
 */
export async function applyMessages<T>(o: ConsumerRunnerOptions<T>, where: Where, messages: KafkaMessage[]): Promise<ChunkOutcome> {
  const outcome: ChunkOutcome = { applied: 0, ignored: [], deadLetters: [] };
  const decoded = decodeAll(o, where.topic, messages, outcome);
  const dedupe = o.dedupeEventIds !== false;
  const fresh = dedupe ? await claimFresh(o.groupId, where.client, decoded) : firstOfEachId(decoded);
  if (!(o.handleBatch && (await tryBatch(o, where, fresh)))) {
    for (const c of fresh) {
      const failure = await applyOne(o, where, c);
      if (failure) outcome.deadLetters.push(failure);
    }
  }
  const failedIds = outcome.deadLetters.filter((d) => d.attempts > 0).map((d) => d.message);
  // A dead-lettered event was not applied: forget its id so a replay from the DLQ (after a fix) is not skipped.
  if (dedupe && failedIds.length) {
    const ids = fresh.filter((c) => failedIds.includes(c.message)).map((c) => c.decoded.eventId);
    await where.client.query('delete from es_consumer_processed where consumer_group = $1 and event_id = any($2::text[])', [o.groupId, ids]);
  }
  outcome.applied = fresh.length - failedIds.length;
  return outcome;
}

function decodeAll<T>(o: ConsumerRunnerOptions<T>, topic: string, messages: KafkaMessage[], outcome: ChunkOutcome): Candidate<T>[] {
  const out: Candidate<T>[] = [];
  for (const message of messages) {
    try {
      const decoded = o.decode(message, topic);
      if ('ignored' in decoded) outcome.ignored.push(decoded.ignored);
      else out.push({ message, decoded });
    } catch (e) {
      if (!(e instanceof PoisonMessage)) throw e;
      outcome.deadLetters.push({ message, reason: e.reason, error: e.message, attempts: 0 });
    }
  }
  return out;
}

/** Records the chunk's event ids as processed in one statement; returns the first occurrence of each new one. */
async function claimFresh<T>(groupId: string, client: PoolClient, candidates: Candidate<T>[]): Promise<Candidate<T>[]> {
  if (candidates.length === 0) return [];
  const { rows } = await client.query<{ event_id: string }>(
    `insert into es_consumer_processed (consumer_group, event_id) select $1, unnest($2::text[])
     on conflict do nothing returning event_id`, [groupId, candidates.map((c) => c.decoded.eventId)]);
  const fresh = new Set(rows.map((r) => r.event_id));
  return candidates.filter((c) => fresh.delete(c.decoded.eventId));
}

/** Without the id table: a chunk still applies each event id once (a republished event may land in the same chunk). */
function firstOfEachId<T>(candidates: Candidate<T>[]): Candidate<T>[] {
  const seen = new Set<string>();
  return candidates.filter((c) => !seen.has(c.decoded.eventId) && seen.add(c.decoded.eventId));
}

const item = <T>(c: Candidate<T>): BatchItem<T> => ({ value: c.decoded.value, eventId: c.decoded.eventId, offset: c.message.offset, headers: c.message.headers ?? {} });

async function tryBatch<T>(o: ConsumerRunnerOptions<T>, w: Where, fresh: Candidate<T>[]): Promise<boolean> {
  if (fresh.length === 0) return true;
  await w.client.query('savepoint sb_batch');
  try {
    const links: Link[] = fresh.map((c) => trace.getSpanContext(extractTraceContext(c.message.headers))).filter((s) => s !== undefined).map((context) => ({ context }));
    await trace.getTracer(TRACER_NAME).startActiveSpan(`${w.topic} process`, { kind: SpanKind.CONSUMER, links, attributes: spanAttributes(w, fresh.length) }, async (span) => {
      try { await o.handleBatch!(fresh.map(item), w); } finally { span.end(); }
    });
    await w.client.query('release savepoint sb_batch');
    return true;
  } catch {
    await w.client.query('rollback to savepoint sb_batch');
    return false;
  }
}

/** One message in a savepoint, retried; its CONSUMER span is a child of the producer's context from the headers. */
async function applyOne<T>(o: ConsumerRunnerOptions<T>, w: Where, c: Candidate<T>): Promise<DeadLetter | undefined> {
  const maxAttempts = o.maxAttempts ?? 3;
  const handle = o.handle ?? ((value: T, ctx: Where) => o.handleBatch!([item(c)], ctx));
  let lastError = '';
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    await w.client.query('savepoint sb_message');
    try {
      const headers = c.message.headers ?? {};
      await withSpan(`${w.topic} process`, SpanKind.CONSUMER, { ...spanAttributes(w, 1), 'messaging.kafka.offset': Number(c.message.offset) },
        () => handle(c.decoded.value, { ...w, offset: c.message.offset, headers }), extractTraceContext(headers));
      await w.client.query('release savepoint sb_message');
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
