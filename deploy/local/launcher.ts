// `npm start`: real Kafka and Postgres, every service (healthy over gRPC), and where everything runs.
// Ctrl-C stops everything this launcher started and leaves no process behind.
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkHealth, mintDevToken } from '@switchboard/service-kit';
import { acquireRunLock, devSecret, ensureDatabase, ensureInfra, Infra, InfraError, killAndWait, platformServices, redact, repoRoot, ServiceSpec, step, stopInfra, waitFor } from './src';

interface Running { spec: ServiceSpec; child: ChildProcess; logFile: string }

const logDir = path.join(repoRoot, '.infra', 'logs');

function launch(spec: ServiceSpec, infra: Infra, databaseUrl: string, authSecret: string, pbxSettings: Record<string, string>): Running {
  const logFile = path.join(logDir, `${spec.name}.log`);
  const out = fs.openSync(logFile, 'w');
  const child = spawn(process.execPath, ['-r', '@swc-node/register', path.join('services', spec.name, 'src', 'main.ts')], {
    cwd: repoRoot,
    // The IPC channel lets a service notice that the launcher died (its 'disconnect' event) and stop itself.
    stdio: ['ignore', out, out, 'ipc'],
    env: { ...process.env, KAFKA_BROKERS: infra.kafkaBrokers.join(','), DATABASE_URL: databaseUrl,
      GRPC_PORT: String(spec.grpcPort), METRICS_PORT: String(spec.metricsPort), KAFKAJS_NO_PARTITIONER_WARNING: '1',
      AUTH_JWT_SECRET: authSecret, ...pbxSettings },
  });
  return { spec, child, logFile };
}

const simulator = { amiPort: 5038, eslPort: 8021, scenario: 'full-day-200-agents', speed: 60, amiUser: 'switchboard' };

/**
 * Each run plays the day on its own date: today (UTC), or the day after the previous run's if that is later. Call ids
 * embed the simulated time, and the topics keep earlier runs, so replaying one date again would merge a new run's calls
 * into the old ones' rows and show yesterday's wallboard.
 */
function simulatedDate(): string {
  const stateFile = path.join(repoRoot, '.infra', 'last-simulated-date');
  const today = new Date().toISOString().slice(0, 10);
  fs.mkdirSync(path.dirname(stateFile), { recursive: true });
  const last = fs.existsSync(stateFile) ? fs.readFileSync(stateFile, 'utf8').trim() : '';
  const next = /^\d{4}-\d{2}-\d{2}$/.test(last) && last >= today ? new Date(Date.parse(`${last}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10) : today;
  fs.writeFileSync(stateFile, `${next}\n`);
  return next;
}

/** The simulated call center starts its day once the gateway has logged in over AMI (--wait-for-clients). */
function launchSimulator(amiSecret: string, date: string): Running {
  const logFile = path.join(logDir, 'pbx-simulator.log');
  const out = fs.openSync(logFile, 'w');
  const child = spawn(process.execPath, ['-r', '@swc-node/register', path.join('tools', 'pbx-simulator', 'src', 'cli.ts'), 'run',
    '--scenario', simulator.scenario, '--seed', '1', '--speed', String(simulator.speed), '--ami-port', String(simulator.amiPort),
    '--esl-port', String(simulator.eslPort), '--ami-user', simulator.amiUser, '--ami-secret', amiSecret, '--wait-for-clients', '1',
    '--date', date, '--vip-share', '0.05', '--ground-truth', path.join(repoRoot, '.infra', 'ground-truth.jsonl')], { cwd: repoRoot, stdio: ['ignore', out, out, 'ipc'] });
  return { spec: { name: 'pbx-simulator', grpcPort: 0, metricsPort: 0, database: '' }, child, logFile };
}

function tail(file: string, lines = 15): string {
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n') : '';
}

async function waitHealthy(r: Running): Promise<void> {
  await waitFor(`${r.spec.name} gRPC health SERVING on 127.0.0.1:${r.spec.grpcPort}`, 90_000, async () => {
    if (r.child.exitCode !== null) throw new Error(`${r.spec.name} exited with code ${r.child.exitCode}:\n${tail(r.logFile)}`);
    return (await checkHealth(`127.0.0.1:${r.spec.grpcPort}`).catch(() => 'DOWN')) === 'SERVING';
  }, 300);
}

async function main(): Promise<void> {
  const t0 = Date.now();
  const releaseLock = acquireRunLock(repoRoot);
  fs.mkdirSync(logDir, { recursive: true });
  const running: Running[] = [];
  let infra: Infra | undefined;
  let stopping = false;

  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    step('stopping services');
    await Promise.all(running.map((r) => (r.child.exitCode === null && r.child.pid ? killAndWait(r.child.pid, 15_000) : undefined)));
    if (infra) await stopInfra(infra);
    releaseLock();
    step('stopped; no process left behind');
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  const authSecret = devSecret(repoRoot, 'AUTH_JWT_SECRET');
  const withSimulator = process.env.SWITCHBOARD_SIMULATOR !== '0';
  // The gateway's AMI link points at the simulator; secrets are generated per checkout, never committed.
  const amiSecret = devSecret(repoRoot, 'AMI_SECRET');
  const pbxSettings: Record<string, string> = {
    CALLER_HASH_KEY: devSecret(repoRoot, 'CALLER_HASH_KEY'),
    ...(withSimulator ? { AMI_HOST: '127.0.0.1', AMI_PORT: String(simulator.amiPort), AMI_USERNAME: simulator.amiUser, AMI_SECRET: amiSecret } : {}),
    // The simulated day's clock times (07:00-21:00) are UTC: with reporting's default zone (Asia/Shanghai) the
    // wallboard's "today" and its interval chart would roll over at 16:00 of that day and the sign-in slots miss it.
    ...(withSimulator && !process.env.REPORTING_TIME_ZONE ? { REPORTING_TIME_ZONE: 'UTC' } : {}),
  };
  const day = withSimulator ? simulatedDate() : '';
  try {
    infra = await ensureInfra();
    for (const spec of platformServices) {
      const url = await ensureDatabase(infra.postgresUrl, spec.database);
      running.push(launch(spec, infra, url, authSecret, pbxSettings));
    }
    step(`starting ${running.length} services`);
    await Promise.all(running.map(waitHealthy));
    if (withSimulator) running.push(launchSimulator(amiSecret, day));
  } catch (e) {
    process.stderr.write(`error: ${e instanceof InfraError ? e.message : (e as Error).message}\n`);
    await stopAll(1);
    return;
  }
  for (const r of running) {
    r.child.on('exit', (code, signal) => {
      if (stopping) return;
      if (r.spec.name === 'pbx-simulator' && code === 0) {
        process.stderr.write('[infra] the simulated day is over; ground truth in .infra/ground-truth.jsonl (services keep running)\n');
        return;
      }
      process.stderr.write(`error: ${r.spec.name} exited (${signal ?? code}); last log lines:\n${tail(r.logFile)}\n`);
      void stopAll(1);
    });
  }
  const token = await mintDevToken({ secret: authSecret, subject: 'local-director', roles: ['director'], tenant: 'local', expiresIn: '12h' });
  const wallboardToken = await mintDevToken({ secret: authSecret, subject: 'local-duty-supervisor', roles: ['supervisor'], tenant: 'default', siteIds: ['main'], expiresIn: '12h' }); // the gateway's default TENANT_ID/SITE_ID
  const rows = running.filter((r) => r.spec.grpcPort > 0).map((r) => `  ${r.spec.name.padEnd(18)} gRPC 127.0.0.1:${r.spec.grpcPort}   metrics http://127.0.0.1:${r.spec.metricsPort}/metrics   log ${path.relative(repoRoot, r.logFile)}`);
  console.log([
    '',
    `Switchboard is up in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    `  Kafka              ${infra.kafkaBrokers.join(',')}${infra.external.kafka ? ' (external)' : ''}`,
    `  PostgreSQL         ${redact(infra.postgresUrl)}`,
    ...rows,
    `  Wallboard          http://127.0.0.1:${process.env.WALLBOARD_PORT ?? 8080}/#token=${wallboardToken}`,
    ...(withSimulator ? [`  pbx-simulator      AMI 127.0.0.1:${simulator.amiPort}   event socket 127.0.0.1:${simulator.eslPort}   ${simulator.scenario} on ${day} at ${simulator.speed}x (5% vip callers), starts when the gateway logs in   log .infra/logs/pbx-simulator.log`] : []),
    '',
    'Check health:  grpcurl -plaintext 127.0.0.1:50052 grpc.health.v1.Health/Check',
    'A 12-hour director token for local calls (secret in .infra/dev-auth-jwt-secret):',
    `  export SB_TOKEN=${token}`,
    '  grpcurl -plaintext -H "authorization: Bearer $SB_TOKEN" 127.0.0.1:50052 list',
    'Press Ctrl-C to stop everything.',
  ].join('\n'));
}

main().catch((e: unknown) => {
  process.stderr.write(`error: ${e instanceof InfraError ? e.message : (e as Error).stack}\n`);
  process.exit(1);
});
