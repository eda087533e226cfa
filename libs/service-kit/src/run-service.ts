import type { Logger } from 'pino';
import { ConfigError } from '@switchboard/config';

/**
 * The composition root's outer shell: a ConfigError prints its one line and exits 2; SIGINT/SIGTERM run the
 * shutdown once, and a second signal forces exit.
 */
export function runService(name: string, start: () => Promise<{ logger: Logger; stop: () => Promise<void> }>): void {
  Promise.resolve().then(start).then(({ logger, stop }) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) process.exit(130);
      stopping = true;
      logger.info({ signal }, `${name} stopping`);
      stop().then(() => process.exit(0), (e) => { logger.error({ err: e }, 'shutdown failed'); process.exit(1); });
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    // Started by the local launcher with an IPC channel: if the launcher dies, do not outlive it.
    if (process.connected) process.on('disconnect', () => onSignal('SIGTERM'));
  }, (e: unknown) => {
    if (e instanceof ConfigError) {
      process.stderr.write(`${name}: ${e.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`${name}: failed to start: ${(e as Error).stack ?? e}\n`);
    process.exit(1);
  });
}
