import * as path from 'node:path';
import { spawnWorker as spawnFile } from '@switchboard/testing';

export { eventually, killWorkers } from '@switchboard/testing';

/** Spawns a fixture from ./fixtures as a worker process. */
export const spawnWorker = (fixture: string, env: Record<string, string>) => spawnFile(path.join(__dirname, 'fixtures', fixture), env);
