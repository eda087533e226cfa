import * as fs from 'node:fs';
import { stopInfra } from '@switchboard/local-infra';
import { stateFile } from './global-setup';

export default async function globalTeardown(): Promise<void> {
  if (!fs.existsSync(stateFile)) return;
  const state = JSON.parse(fs.readFileSync(stateFile, 'utf8')) as { startedKafka: boolean };
  fs.rmSync(stateFile, { force: true });
  if (process.env.SWITCHBOARD_KEEP_INFRA !== '1') await stopInfra(state);
}
