import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * The topic registry (libs/contracts/src/topics.ts) is the only place a topic name may be written. This test scans
 * the repo's TypeScript sources for anything that looks like a topic literal and names file:line.
 */
const repoRoot = join(__dirname, '../../..');
const scannedRoots = ['libs', 'services', 'tools', 'bench', 'deploy', 'test'];
const skippedDirs = new Set(['node_modules', 'generated', 'dist', '.infra', '.nx', 'coverage']);
const allowed = new Set([join(repoRoot, 'libs/contracts/src/topics.ts'), __filename]);
/** `<context>.<aggregate>.events.v<N>` and the raw archive `<context>.pbx-raw.v<N>`, starting a string literal. */
export const TOPIC_LITERAL = /['"`][a-z-]+\.(?:[a-z-]+\.events|pbx-raw)\.v\d+/;

function* tsFiles(dir: string): Generator<string> {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of entries) {
    if (skippedDirs.has(name)) continue;
    const path = join(dir, name);
    const st = statSync(path);
    if (st.isDirectory()) yield* tsFiles(path);
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) yield path;
  }
}

export function findTopicLiterals(files: Iterable<string>): string[] {
  const hits: string[] = [];
  for (const file of files) {
    if (allowed.has(file)) continue;
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (TOPIC_LITERAL.test(line)) hits.push(`${relative(repoRoot, file)}:${i + 1}: ${line.trim()}`);
      });
  }
  return hits;
}

describe('topic names are written only in the registry', () => {
  it('should recognise topic literals (and not event types or unrelated dotted strings)', () => {
    expect(TOPIC_LITERAL.test(`producer.send({ topic: 'telephony.call.events.v1' })`)).toBe(true);
    expect(TOPIC_LITERAL.test('const t = "routing.assignment.events.v2.dlq"')).toBe(true);
    expect(TOPIC_LITERAL.test('`telephony.pbx-raw.v1`')).toBe(true);
    expect(TOPIC_LITERAL.test(`type: 'switchboard.telephony.call.answered.v1'`)).toBe(false);
    expect(TOPIC_LITERAL.test(`import x from './call.events'`)).toBe(false);
  });

  it('should find no topic literal outside libs/contracts/src/topics.ts', () => {
    const files = scannedRoots.flatMap((r) => [...tsFiles(join(repoRoot, r))]);
    expect(files.length).toBeGreaterThan(10);
    expect(findTopicLiterals(files)).toEqual([]);
  });
});
