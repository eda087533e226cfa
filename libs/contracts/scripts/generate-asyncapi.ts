// Writes libs/contracts/asyncapi.json from the topic registry.
// Run from the repo root: node -r @swc-node/register libs/contracts/scripts/generate-asyncapi.ts
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ASYNCAPI_FILE, renderAsyncApi } from '../src/asyncapi/build-asyncapi';

const target = join(__dirname, '..', ASYNCAPI_FILE);
writeFileSync(target, renderAsyncApi());
console.log(`wrote ${target}`);
