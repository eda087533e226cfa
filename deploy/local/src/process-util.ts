/* Small process helpers for the local infrastructure scripts: one clear line per step or failure. */

export class InfraError extends Error {}

export function step(message: string): void {
  process.stderr.write(`[infra] ${message}\n`);
}

export function fail(message: string): never {
  throw new InfraError(message);
}

export function isPidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` until it returns true; every wait is bounded. */
export async function waitFor(what: string, timeoutMs: number, probe: () => Promise<boolean>, intervalMs = 250): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      if (await probe()) return;
    } catch (e) {
      lastError = e;
      if ((e as Error).message === 'broker process exited') throw e;
    }
    await sleep(intervalMs);
  }
  throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}${lastError ? ` (${(lastError as Error).message})` : ''}`);
}

/** SIGTERM, then SIGKILL after the grace period. Works on a process group when the pid leads one. */
export async function killAndWait(pid: number, graceMs: number): Promise<void> {
  const signal = (sig: NodeJS.Signals) => {
    try { process.kill(-pid, sig); } catch { try { process.kill(pid, sig); } catch { /* already gone */ } }
  };
  signal('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && isPidAlive(pid)) await sleep(100);
  if (isPidAlive(pid)) signal('SIGKILL');
  while (isPidAlive(pid)) await sleep(50);
}
