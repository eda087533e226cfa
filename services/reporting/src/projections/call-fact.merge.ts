import type { Column, Merge } from './upsert';

/**
 * The TypeScript twin of `upsert.ts`'s SQL merges, to fold several events of one call into its row before a single
 * write. Same rules, same NULL behaviour: every column of the result is computed from the row *before* the event,
 * exactly like the SET list of `insert … on conflict do update`. Timestamps are epoch milliseconds here.
 */
export type FactRow = Record<string, unknown>;

export const TIME_COLUMNS: ReadonlySet<string> = new Set(['queued_at', 'offered_at', 'answered_at', 'abandoned_at', 'timed_out_at', 'released_at']);

/** Column → SQL array type of the call-facts table, in table order (the repeat flags are left to their own statement). */
export const FACT_COLUMNS: readonly (readonly [string, string])[] = [
  ['call_id', 'text'], ['queue_visit', 'int'], ['tenant', 'text'], ['site', 'text'], ['queue_id', 'text'], ['queued_at', 'timestamptz'],
  ['queued_exact', 'boolean'], ['offered_at', 'timestamptz'], ['caller_hash', 'text'], ['answered_at', 'timestamptz'],
  ['agent_id', 'text'], ['abandoned_at', 'timestamptz'], ['timed_out_at', 'timestamptz'], ['wait_s', 'float8'], ['ring_count', 'int'],
  ['talk_s', 'float8'], ['hold_s', 'float8'], ['hold_count', 'int'], ['longest_hold_s', 'float8'], ['acw_s', 'float8'],
  ['transfer_first', 'int'], ['transfer_last', 'int'], ['released_by', 'text'], ['released_at', 'timestamptz'], ['acw_events', 'jsonb'],
];

/** jsonb columns: objects in memory, JSON text on the way to `unnest($n::jsonb[])`. */
export const JSON_COLUMNS: ReadonlySet<string> = new Set(['acw_events']);

/** A fresh row: the table's column defaults, which is what an insert without conflict starts from. */
export const emptyFact = (): FactRow => ({
  queued_exact: false, ring_count: 0, talk_s: 0, hold_s: 0, hold_count: 0, longest_hold_s: 0, acw_s: 0, acw_events: {},
});

type Value = unknown;
const isNull = (v: Value) => v === null || v === undefined;
/** SQL `a < b`: NULL (false for CASE) when either side is NULL. */
const less = (a: Value, b: Value) => !isNull(a) && !isNull(b) && (a as number) < (b as number);
const greatest = (a: Value, b: Value) => (isNull(a) ? b : isNull(b) ? a : Math.max(a as number, b as number));
const leastOf = (a: Value, b: Value) => (isNull(a) ? b : isNull(b) ? a : Math.min(a as number, b as number));

type Entries = Readonly<Record<string, unknown>>;
/** jsonb `a @> b` for flat objects: every entry of b is in a. */
const contains = (a: Value, b: Value) => !isNull(a) && !isNull(b) && Object.entries(b as Entries).every(([k, v]) => (a as Entries)[k] === v);
const add = (a: Value, b: Value) => (isNull(a) || isNull(b) ? null : (a as number) + (b as number));

function mergeOne(old: FactRow, event: FactRow, name: string, merge: Merge): Value {
  const o = old[name];
  const n = event[name];
  if (typeof merge === 'object') {
    if ('addOnceBy' in merge) return contains(old[merge.addOnceBy], event[merge.addOnceBy]) ? o : add(o, n);
    const by = merge.earliestBy;
    return isNull(old[by]) || less(event[by], old[by]) ? n : o;
  }
  switch (merge) {
    case 'queued': return old.queued_exact === true && !isNull(old.queued_at) && !isNull(event.queued_at) &&
      (old.queued_at as number) <= (event.queued_at as number) ? o : n;
    case 'set': return n;
    case 'fill': return isNull(o) ? n : o;
    case 'max': return greatest(o, n);
    case 'min': return leastOf(o, n);
    case 'add': return add(o, n);
    case 'union': return isNull(o) ? n : isNull(n) ? o : { ...(o as Entries), ...(n as Entries) };
  }
}

const normalise = (c: Column): Value => (TIME_COLUMNS.has(c.name) && typeof c.value === 'string' ? Date.parse(c.value) : c.value);

/** One event's columns merged into `old`; returns the new row (old is not modified). */
export function mergeFact(old: FactRow, columns: readonly Column[]): FactRow {
  const event: FactRow = {};
  for (const c of columns) event[c.name] = normalise(c);
  const next: FactRow = { ...old };
  for (const c of columns) next[c.name] = mergeOne(old, event, c.name, c.merge);
  return next;
}
