import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { allEvents } from '../src';
import { checkCompatibility, formatIncompatibility, type JsonSchema } from '../src/compat/schema-compat';
import { planSnapshots, snapshotPath } from '../src/compat/schema-snapshot';

const root = join(__dirname, '..');
const read = (p: string) => (existsSync(join(root, p)) ? readFileSync(join(root, p), 'utf8') : undefined);
const REGENERATE = 'node -r @swc-node/register libs/contracts/scripts/generate-schemas.ts';

describe('published JSON Schemas (libs/contracts/schemas)', () => {
  it.each(allEvents.map((e) => [e.type, e] as const))('%s is compatible with its published snapshot', (_t, e) => {
    const snapshot = read(snapshotPath(e.type));
    expect(snapshot).toBeDefined();
    const problems = checkCompatibility(JSON.parse(snapshot!) as JsonSchema, JSON.parse(JSON.stringify(e.schema)) as JsonSchema);
    expect(problems.map(formatIncompatibility)).toEqual([]);
  });

  it('should never drop a published event type (a snapshot without a definition)', () => {
    const published = readdirSync(join(root, 'schemas')).flatMap((v) => readdirSync(join(root, 'schemas', v)));
    const known = new Set(allEvents.map((e) => `${e.type}.schema.json`));
    expect(published.filter((f) => !known.has(f))).toEqual([]);
  });

  it('should have snapshots up to date with the catalog', () => {
    const plan = planSnapshots(read);
    if (plan.writes.size > 0) throw new Error(`Schema snapshots are stale (${[...plan.writes.keys()].join(', ')}). Run: ${REGENERATE}`);
    expect(plan.refused).toEqual([]);
  });
});
