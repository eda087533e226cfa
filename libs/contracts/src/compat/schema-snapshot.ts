import { allEvents } from '../catalog/catalog';
import { checkCompatibility, formatIncompatibility, type JsonSchema } from './schema-compat';

/**
 * Snapshots of published JSON Schemas live in `libs/contracts/schemas/v<N>/<event-type>.schema.json`. New event types
 * get a snapshot; a compatible (additive) change updates one; an incompatible change is refused — it needs a new
 * event version (`.v<N+1>`) instead.
 */
export const snapshotPath = (eventType: string): string => {
  const version = /\.(v\d+)$/.exec(eventType)?.[1] ?? 'v0';
  return `schemas/${version}/${eventType}.schema.json`;
};

export const renderSchema = (schema: unknown): string => `${JSON.stringify(schema, null, 2)}\n`;

export interface SnapshotPlan {
  /** relative path → content to write (new or additively changed). */
  readonly writes: ReadonlyMap<string, string>;
  readonly refused: readonly string[];
}

/** Decides what to write given the current snapshot files (`read` returns undefined when a file is absent). */
export function planSnapshots(read: (relativePath: string) => string | undefined, events = allEvents): SnapshotPlan {
  const writes = new Map<string, string>();
  const refused: string[] = [];
  for (const e of events) {
    const path = snapshotPath(e.type);
    const rendered = renderSchema(e.schema);
    const existing = read(path);
    if (existing === rendered) continue;
    if (existing !== undefined) {
      const problems = checkCompatibility(JSON.parse(existing) as JsonSchema, JSON.parse(rendered) as JsonSchema);
      if (problems.length > 0) {
        refused.push(`${e.type} is incompatible with its published schema (${path}); publish a new version instead:\n  ` +
          problems.map(formatIncompatibility).join('\n  '));
        continue;
      }
    }
    writes.set(path, rendered);
  }
  return { writes, refused };
}
