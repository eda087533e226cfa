import * as net from 'node:net';
import { uniqueName } from '@switchboard/testing';
import type { Kafka } from 'kafkajs';

/** One canonical event as read from a topic, with where it sat (partition order is per-key order). */
export interface PublishedEvent {
  readonly id: string;
  readonly type: string;
  readonly subject: string;
  readonly sequence: number;
  readonly time: string;
  readonly tenant: string;
  readonly data: Record<string, unknown>;
  readonly key: string;
  readonly partition: number;
}

/** Free TCP ports on loopback (listen on 0, note the port, close). */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: n }, () => new Promise<net.Server>((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => resolve(s));
  })));
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

/**
 * Reads `topics` from the beginning on `kafka` and keeps `tenant`'s events in partition order, until `enough` holds
 * and nothing new arrived for a moment (duplicates republished after a fault come after the originals).
 */
export async function readTenantEvents(kafka: Kafka, topics: readonly string[], tenant: string, enough: (events: PublishedEvent[]) => boolean, timeoutMs = 90_000): Promise<PublishedEvent[]> {
  const consumer = kafka.consumer({ groupId: uniqueName('gw-fault-read') });
  const events: PublishedEvent[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [...topics], fromBeginning: true });
    let lastArrival = Date.now();
    await consumer.run({ eachMessage: async ({ partition, message }) => {
      const e = JSON.parse(message.value!.toString()) as Omit<PublishedEvent, 'key' | 'partition'>;
      if (e.tenant !== tenant) return;
      events.push({ ...e, key: message.key!.toString(), partition });
      lastArrival = Date.now();
    } });
    const deadline = Date.now() + timeoutMs;
    while (!(enough(events) && Date.now() - lastArrival > 2000)) {
      if (Date.now() > deadline) throw new Error(`topic content incomplete after ${timeoutMs / 1000} s (${events.length} events read)`);
      await new Promise((r) => setTimeout(r, 200));
    }
    return [...events];
  } finally {
    await consumer.disconnect();
  }
}

/** What a consumer that dedupes by event id applies: the first copy of each id, in the order read. */
export function dedupeById(events: readonly PublishedEvent[]): { unique: PublishedEvent[]; duplicates: number; conflicting: string[] } {
  const seen = new Map<string, PublishedEvent>();
  const conflicting: string[] = [];
  for (const e of events) {
    const first = seen.get(e.id);
    if (first === undefined) seen.set(e.id, e);
    else if (first.sequence !== e.sequence || first.subject !== e.subject || first.type !== e.type) conflicting.push(e.id);
  }
  return { unique: [...seen.values()], duplicates: events.length - seen.size, conflicting };
}

/** Per key: one partition, and sequences 1..n in the order read (no gap, no repeat, no reordering). */
export function perKeyOrderProblems(events: readonly PublishedEvent[]): string[] {
  const bySubject = new Map<string, PublishedEvent[]>();
  for (const e of events) bySubject.set(e.subject, [...(bySubject.get(e.subject) ?? []), e]);
  const problems: string[] = [];
  for (const [subject, list] of bySubject) {
    if (new Set(list.map((e) => e.partition)).size > 1) problems.push(`${subject}: spread over partitions`);
    if (list.some((e) => e.key !== subject)) problems.push(`${subject}: key differs from subject`);
    if (list.some((e, i) => e.sequence !== i + 1)) problems.push(`${subject}: ${list.map((e) => e.sequence).join(',')}`);
  }
  return problems;
}

/** The ground-truth fields compared (the simulator's ContactRecord; only its tests may import the simulator). */
export interface TruthContact {
  readonly contactId: string;
  readonly callerNumber: string;
  readonly queue: string;
  readonly queuedAtMs: number;
  readonly outcome: string;
  readonly waitMs: number;
  readonly agentId: string | null;
  readonly conversationEndedAtMs: number | null;
  readonly acwMs: number;
}

/** One queue visit as the canonical call events tell it. */
export interface PublishedVisit {
  readonly callId: string;
  readonly callerHash: string;
  readonly queue: string;
  readonly queuedAtMs: number;
  outcome: 'answered' | 'abandoned' | 'timed-out' | 'open';
  agentId: string | null;
  waitSeconds: number | null;
}

export function visitsFrom(events: readonly PublishedEvent[]): PublishedVisit[] {
  const bySubject = new Map<string, PublishedEvent[]>();
  for (const e of events) bySubject.set(e.subject, [...(bySubject.get(e.subject) ?? []), e]);
  const out: PublishedVisit[] = [];
  for (const [callId, list] of bySubject) {
    let hash = '';
    let visit: PublishedVisit | null = null;
    for (const e of [...list].sort((a, b) => a.sequence - b.sequence)) {
      const kind = e.type.split('.')[3];
      if (kind === 'offered') hash = String(e.data.callerHash);
      if (kind === 'queued') {
        visit = { callId, callerHash: hash, queue: String(e.data.queueId), queuedAtMs: Date.parse(e.time), outcome: 'open', agentId: null, waitSeconds: null };
        out.push(visit);
      }
      if (visit === null) continue;
      if (kind === 'answered') Object.assign(visit, { outcome: 'answered', agentId: e.data.agentId, waitSeconds: e.data.waitSeconds });
      if (kind === 'abandoned') Object.assign(visit, { outcome: 'abandoned', waitSeconds: e.data.waitSeconds });
      if (kind === 'queue-timed-out') Object.assign(visit, { outcome: 'timed-out', waitSeconds: e.data.waitSeconds ?? null });
    }
  }
  return out;
}

/** The published visits that are this ground-truth contact (same caller, queue and queue entry within a second). */
export const visitsOf = (t: TruthContact, visits: readonly PublishedVisit[], hashOf: (n: string) => string) =>
  visits.filter((v) => v.callerHash === hashOf(t.callerNumber) && v.queue === t.queue && Math.abs(v.queuedAtMs - t.queuedAtMs) <= 1000);

/** Differences between a ground-truth contact and what was published for it (empty = it matches). */
export function contactMismatches(t: TruthContact, found: readonly PublishedVisit[]): string[] {
  const id = `${t.contactId} (${t.outcome})`;
  if (found.length !== 1) return [`${id}: published ${found.length} times`];
  const v = found[0];
  const problems: string[] = [];
  const answered = t.outcome === 'answered';
  if (answered ? v.outcome !== 'answered' : v.outcome !== 'abandoned' && v.outcome !== 'timed-out') problems.push(`${id}: outcome ${v.outcome}`);
  if (v.waitSeconds === null || Math.abs(v.waitSeconds * 1000 - t.waitMs) > 1000) problems.push(`${id}: wait ${v.waitSeconds}s vs ${t.waitMs}ms`);
  if (answered && v.agentId !== t.agentId) problems.push(`${id}: agent ${v.agentId} vs ${t.agentId}`);
  return problems;
}

/** Last instant the PBX said something about this contact (its after-call work included). */
export const contactEndMs = (t: TruthContact): number => (t.conversationEndedAtMs ?? t.queuedAtMs + t.waitMs) + t.acwMs;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
