/**
 * A projection's view exists only once its first version has caught up (libs/eventsourcing swaps it in then), so a
 * fresh database or a first rebuild has no `call_facts` / `agent_state` yet: Postgres' undefined_table.
 */
export const isReadModelNotBuilt = (e: unknown): boolean => (e as { code?: unknown } | null)?.code === '42P01';

/** `read()`, or `empty` while the read model it reads is still being built (live views show the lag meanwhile). */
export async function orEmptyWhileBuilding<T>(read: () => Promise<T>, empty: T): Promise<T> {
  try {
    return await read();
  } catch (e) {
    if (isReadModelNotBuilt(e)) return empty;
    throw e;
  }
}
