import * as fs from 'node:fs';
import * as path from 'node:path';
import { fail, isPidAlive } from './process-util';

/**
 * One running platform per checkout: the lock file holds the launcher's pid. A stale lock (dead pid) is taken over;
 * a live one makes a second `npm start` fail fast without touching anything.
 */
export function acquireRunLock(rootDir: string): () => void {
  const file = path.join(rootDir, '.infra', 'switchboard.pid');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => {
        if (fs.existsSync(file) && fs.readFileSync(file, 'utf8').trim() === String(process.pid)) fs.rmSync(file);
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = Number(fs.readFileSync(file, 'utf8').trim());
      if (isPidAlive(holder)) fail(`Switchboard is already running from this checkout (launcher pid ${holder}). Stop it with Ctrl-C in its terminal, or: kill ${holder}`);
      fs.rmSync(file, { force: true });
    }
  }
  return fail(`could not take the run lock ${file}`);
}
