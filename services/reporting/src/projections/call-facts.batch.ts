import type { AnyEvent } from '@switchboard/contracts';
import type { PoolClient } from 'pg';
import { callFactColumns } from './call-fact.columns';
import { emptyFact, FACT_COLUMNS, FactRow, mergeFact, TIME_COLUMNS } from './call-fact.merge';
import { markDirtyCalls } from './call-facts.rollup';
import { markRepeats, Offer } from './call-facts.repeats';
import type { Column } from './upsert';

const keyColumns = (e: AnyEvent): Column[] => [{ name: 'call_id', value: e.subject, merge: 'fill' }, { name: 'tenant', value: e.tenant, merge: 'fill' },
  { name: 'site', value: e.site, merge: 'fill' }];

const fromDb = (row: FactRow): FactRow =>
  Object.fromEntries(Object.entries(row).map(([k, v]) => [k, TIME_COLUMNS.has(k) && v instanceof Date ? v.getTime() : v]));

const toDb = (name: string, v: unknown): unknown =>
  (v === null || v === undefined ? null : TIME_COLUMNS.has(name) ? new Date(v as number).toISOString() : v);

/**
 * Set-based `applyBatch` of the call facts: lock and load the chunk's existing rows (one statement), fold each call's
 * events into its row in delivery order with the same merges as the per-event upsert (`call-fact.merge.ts`), write
 * every touched row back with one `insert … select from unnest(…) on conflict do update`, then mark repeat callers
 * for all the chunk's offers in one statement. Same final rows as `apply` on each event in turn.
 */
export async function applyCallFactsBatch(client: PoolClient, events: readonly AnyEvent[], t: string): Promise<void> {
  const perCall = new Map<string, { event: AnyEvent; columns: Column[] }[]>();
  const offers: Offer[] = [];
  for (const e of events) {
    const columns = callFactColumns(e);
    if (columns === undefined) continue;
    const list = perCall.get(e.subject) ?? perCall.set(e.subject, []).get(e.subject)!;
    list.push({ event: e, columns: [...keyColumns(e), ...columns] });
    if (e.type === 'switchboard.telephony.call.offered.v1') offers.push({ callId: e.data.callId, callerHash: e.data.callerHash, at: e.time });
  }
  if (perCall.size === 0) return;
  const ids = [...perCall.keys()].sort();
  const { rows } = await client.query<FactRow>(`select * from "${t}" where call_id = any($1::text[]) order by call_id for update`, [ids]);
  await markDirtyCalls(client, t, ids);
  const existing = new Map(rows.map((r) => [r.call_id as string, fromDb(r)]));
  const merged = ids.map((id) => perCall.get(id)!.reduce((row, { columns }) => mergeFact(row, columns), existing.get(id) ?? emptyFact()));
  const names = FACT_COLUMNS.map(([n]) => n);
  await client.query(
    `insert into "${t}" (${names.join(', ')}) select * from unnest(${FACT_COLUMNS.map(([, type], i) => `$${i + 1}::${type}[]`).join(', ')})
     on conflict (call_id) do update set ${names.filter((n) => n !== 'call_id').map((n) => `${n} = excluded.${n}`).join(', ')}`,
    FACT_COLUMNS.map(([name]) => merged.map((row) => toDb(name, row[name]))));
  await markDirtyCalls(client, t, ids);
  if (offers.length) await markRepeats(client, t, offers);
}
