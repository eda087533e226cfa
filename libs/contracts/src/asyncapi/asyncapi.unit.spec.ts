import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Parser } from '@asyncapi/parser';
import { allEvents, allTopics } from '../index';
import { ASYNCAPI_FILE, buildAsyncApi, renderAsyncApi } from './build-asyncapi';

const committedPath = join(__dirname, '../..', ASYNCAPI_FILE);
const REGENERATE = 'node -r @swc-node/register libs/contracts/scripts/generate-asyncapi.ts';

describe('AsyncAPI document', () => {
  it('should match the committed file (no drift)', () => {
    const committed = readFileSync(committedPath, 'utf8');
    if (committed !== renderAsyncApi()) {
      throw new Error(`libs/contracts/${ASYNCAPI_FILE} is out of date with the topic registry. Run: ${REGENERATE}`);
    }
    expect(JSON.parse(committed)).toEqual(buildAsyncApi());
  });

  it('should describe every topic, its DLQ and every event type', () => {
    const doc = buildAsyncApi() as { channels: Record<string, { address: string }>; components: { messages: Record<string, { name: string }> } };
    const addresses = Object.values(doc.channels).map((c) => c.address);
    for (const t of allTopics) expect(addresses).toEqual(expect.arrayContaining([t.name, t.dlq]));
    const messageNames = Object.values(doc.components.messages).map((m) => m.name);
    expect(messageNames).toEqual(expect.arrayContaining(allEvents.map((e) => e.type)));
  });

  it('should validate with @asyncapi/parser with no errors or warnings', async () => {
    const diagnostics = await new Parser().validate(readFileSync(committedPath, 'utf8'));
    const problems = diagnostics.filter((d) => d.severity <= 1).map((d) => `${d.code}: ${d.message} at ${d.path.join('.')}`);
    expect(problems).toEqual([]);
  }, 30_000);

  it('should report errors for a broken document (the validator is really running)', async () => {
    const broken = { ...buildAsyncApi(), channels: { x: { address: 1 } } };
    const diagnostics = await new Parser().validate(JSON.stringify(broken));
    expect(diagnostics.filter((d) => d.severity === 0).length).toBeGreaterThan(0);
  }, 30_000);
});
