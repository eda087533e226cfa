// Writes JSON Schema snapshots of published events to libs/contracts/schemas/v<N>/ (new types, additive changes).
// Refuses, writing nothing, if any change is incompatible with a published schema.
// Run from the repo root: node -r @swc-node/register libs/contracts/scripts/generate-schemas.ts
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { planSnapshots } from '../src/compat/schema-snapshot';

const root = join(__dirname, '..');
const plan = planSnapshots((p) => (existsSync(join(root, p)) ? readFileSync(join(root, p), 'utf8') : undefined));
if (plan.refused.length > 0) {
  console.error(plan.refused.join('\n'));
  process.exit(1);
}
for (const [path, content] of plan.writes) {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), content);
  console.log(`wrote ${path}`);
}
console.log(`${plan.writes.size} snapshot(s) written`);
