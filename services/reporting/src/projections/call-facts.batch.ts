import type { AnyEvent } from '@switchboard/contracts';
import type { PoolClient } from 'pg';
import { callFactColumns } from './call-fact.columns';
import { emptyFact, FACT_COLUMNS, FactRow, JSON_COLUMNS, mergeFact, TIME_COLUMNS } from './call-fact.merge';
import { dirtyBinOf, markDirtyBins } from './call-facts.rollup';
import { markRepeats, Offer } from './call-facts.repeats';
import { KnownVisit, resolveVisit, visitRef } from './call-visit';
import type { Column } from './upsert';

export const keyColumns = (e: AnyEvent, visit: number): Column[] => [{ name: 'call_id', value: e.subject, merge: 'fill' },
  { name: 'queue_visit', value: visit, merge: 'fill' }, { name: 'tenant', value: e.tenant, merge: 'fill' }, { name: 'site', value: e.site, merge: 'fill' }];

const fromDb = (row: FactRow): FactRow =>
  Object.fromEntries(Object.entries(row).map(([k, v]) => [k, TIME_COLUMNS.has(k) && v instanceof Date ? v.getTime() : v]));

/** Timestamps travel as epoch milliseconds (`float8[]`, turned into `timestamptz` in SQL): no ISO text to format and parse. */
const toDb = (name: string, v: unknown): unknown => (v === null || v === undefined ? null : JSON_COLUMNS.has(name) ? JSON.stringify(v) : v);
const arrayType = (name: string, type: string) => (TIME_COLUMNS.has(name) ? 'float8' : type);
const fromArray = (name: string) => (TIME_COLUMNS.has(name) ? `to_timestamp(u.${name} / 1000.0)` : `u.${name}`);

export const knownVisit = (row: FactRow): KnownVisit => ({
  visit: row.queue_visit as number, agentId: (row.agent_id as string | null) ?? null,
  queuedAtMs: row.queued_at === null || row.queued_at === undefined ? null : row.queued_at instanceof Date ? row.queued_at.getTime() : (row.queued_at as number),
});

/**
 * Set-based `applyBatch` of the call facts: lock and load the chunk's calls' existing visit rows (one statement), fold
 * each event into its visit's row in delivery order with the same merges and the same visit resolution as the
 * per-event upsert (`call-fact.merge.ts`, `call-visit.ts`), write every touched row back with one
 * `insert … select from unnest(…) on conflict do update`, then mark repeat callers for all the chunk's offers in one
 * statement. Same final rows as `apply` on each event in turn.
 */
export async function applyCallFactsBatch(client: PoolClient, events: readonly AnyEvent[], t: string): Promise<void> {
  const projected = events.flatMap((e) => {
    const columns = callFactColumns(e);
    const ref = visitRef(e);
    return columns === undefined || ref === undefined ? [] : [{ e, columns, ref }];
  });
  if (projected.length === 0) return;
  const ids = [...new Set(projected.map((p) => p.e.subject))].sort();
  const { rows } = await client.query<FactRow>(`select * from "${t}" where call_id = any($1::text[]) order by call_id, queue_visit for update`, [ids]);
  const visits = new Map<string, Map<number, FactRow>>(ids.map((id) => [id, new Map()]));
  for (const r of rows) visits.get(r.call_id as string)!.set(r.queue_visit as number, fromDb(r));
  const touched = new Set<FactRow>();
  const offers: Offer[] = [];
  for (const { e, columns, ref } of projected) {
    const ofCall = visits.get(e.subject)!;
    const visit = 'visit' in ref ? ref.visit : resolveVisit([...ofCall.values()].map(knownVisit), ref);
    const before = ofCall.get(visit);
    const after = mergeFact(before ?? emptyFact(), [...keyColumns(e, visit), ...columns]);
    if (before) touched.delete(before);
    touched.add(after);
    ofCall.set(visit, after);
    if (e.type === 'switchboard.telephony.call.offered.v1') offers.push({ callId: e.data.callId, callerHash: e.data.callerHash, at: e.time });
  }
  const merged = [...touched];
  const names = FACT_COLUMNS.map(([n]) => n);
  await client.query(
    `insert into "${t}" (${names.join(', ')}) select ${names.map(fromArray).join(', ')}
     from unnest(${FACT_COLUMNS.map(([name, type], i) => `$${i + 1}::${arrayType(name, type)}[]`).join(', ')}) u(${names.join(', ')})
     on conflict (call_id, queue_visit) do update set ${names.filter((n) => n !== 'call_id' && n !== 'queue_visit').map((n) => `${n} = excluded.${n}`).join(', ')}`,
    FACT_COLUMNS.map(([name]) => merged.map((row) => toDb(name, row[name]))));
  // The bins the touched visits queued in before and after (a visit may move bins): one statement, from memory.
  const queuedAt = (r: FactRow) => (r.queued_at === null || r.queued_at === undefined ? [] : [dirtyBinOf(knownVisit(r).queuedAtMs!)]);
  await markDirtyBins(client, t, [...rows.flatMap(queuedAt), ...merged.flatMap(queuedAt)]);
  if (offers.length) await markRepeats(client, t, offers);
}
