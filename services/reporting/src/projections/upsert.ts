/**
 * Order-independent column merges: each event sets only the columns it knows, with a merge rule that gives the
 * same row whatever order (and however often) events arrive. That is what makes late delivery land in the right
 * interval: the row's own timestamps decide it, never arrival.
 */
export type Merge = 'set' | 'fill' | 'max' | 'min' | 'add'
  /** Taken from the event whose `by` column is earliest (first answer wins, whenever it arrives). */
  | { readonly earliestBy: string }
  /** Queue entry: an exact CallQueued beats a time derived from a wait; among exact ones the earliest wins. */
  | 'queued'
  /** jsonb objects merged key by key (`old || new`). */
  | 'union'
  /**
   * Added, unless the row's `by` jsonb (merged with 'union') already holds this event's entry: the sum is idempotent
   * per event, so an event published twice is added once without a per-event id table.
   */
  | { readonly addOnceBy: string };

export interface Column {
  readonly name: string;
  readonly value: unknown;
  readonly merge: Merge;
}

const merged = (t: string, c: Column): string => {
  const old = `"${t}".${c.name}`;
  const neu = `excluded.${c.name}`;
  if (typeof c.merge === 'object') {
    if ('addOnceBy' in c.merge) return `case when "${t}".${c.merge.addOnceBy} @> excluded.${c.merge.addOnceBy} then ${old} else ${old} + ${neu} end`;
    const by = c.merge.earliestBy;
    return `case when "${t}".${by} is null or excluded.${by} < "${t}".${by} then ${neu} else ${old} end`;
  }
  switch (c.merge) {
    case 'union': return `${old} || ${neu}`;
    case 'queued': return `case when "${t}".queued_exact and "${t}".queued_at <= excluded.queued_at then ${old} else ${neu} end`;
    case 'set': return neu;
    case 'fill': return `coalesce(${old}, ${neu})`;
    case 'max': return `greatest(${old}, ${neu})`;
    case 'min': return `least(${old}, ${neu})`;
    case 'add': return `${old} + ${neu}`;
  }
};

/** `insert … on conflict (keys) do update` for one event's columns; `where` may guard the update. */
export function upsert(table: string, keys: readonly string[], columns: readonly Column[], where?: string): { text: string; values: unknown[] } {
  const names = columns.map((c) => c.name).join(', ');
  const params = columns.map((_, i) => `$${i + 1}`).join(', ');
  const sets = columns.filter((c) => !keys.includes(c.name)).map((c) => `${c.name} = ${merged(table, c)}`).join(', ');
  return {
    text: `insert into "${table}" (${names}) values (${params}) on conflict (${keys.join(', ')}) do update set ${sets}${where ? ` where ${where}` : ''}`,
    values: columns.map((c) => c.value),
  };
}
