import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { allEvents, decode, topicOf } from '../src';

/**
 * Frozen fixtures: one full envelope per published event version. They are never edited once published; today's
 * validators must keep accepting every one of them (consumers replay old events from offset 0).
 */
const fixturesDir = join(__dirname, '../fixtures');
const fixtureFiles = readdirSync(fixturesDir).flatMap((v) => readdirSync(join(fixturesDir, v)).map((f) => join(fixturesDir, v, f)));

describe('frozen fixtures', () => {
  it('should exist for every event type in the catalog', () => {
    const fixtureTypes = new Set(fixtureFiles.map((f) => f.split('/').pop()!.replace(/\.json$/, '')));
    expect(allEvents.map((e) => e.type).filter((t) => !fixtureTypes.has(t))).toEqual([]);
  });

  it.each(fixtureFiles.map((f) => [f.split('/fixtures/')[1]!, f]))('%s is accepted by today\'s validators', (_name, file) => {
    const bytes = readFileSync(file);
    const result = decode(bytes);
    expect(result.status === 'invalid' ? result.errors : []).toEqual([]);
    expect(result.status).toBe('event');
    const parsed = JSON.parse(bytes.toString('utf8'));
    expect(file.endsWith(`${parsed.type}.json`)).toBe(true);
    expect(topicOf(parsed.type).name).toMatch(/\.events\.v1$/);
  });
});
