import { ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const live = new Set<ChildProcess>();

/** Kills every worker still running (call from afterEach) so a failed test never leaves one behind. */
export function killWorkers(): void {
  for (const c of live) c.kill('SIGKILL');
  live.clear();
}

/**
 * Spawns a fault-injection worker (a TypeScript file run via SWC, so tests can SIGKILL a real process) with the given
 * environment; SHOW_WORKER_LOGS=1 shows its stderr.
 */
export function spawnWorker(file: string, env: Record<string, string>): ChildProcess & { exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', file], {
    cwd: repoRoot, env: { ...process.env, ...env, KAFKAJS_NO_PARTITIONER_WARNING: '1' }, stdio: ['ignore', 'ignore', process.env.SHOW_WORKER_LOGS ? 'inherit' : 'ignore'],
  });
  live.add(child);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => { live.delete(child); resolve(code); }));
  return Object.assign(child, { exited });
}

/** Polls until `probe` is true; fails the test with `what` after the bounded wait. */
export async function eventually(what: string, probe: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}
