import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { acquireRunLock, devSecret, kafkaOptions, InfraError } from './index';

describe('run lock', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-lock-'));
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('refuses a second holder while the first is alive, naming its pid', () => {
    const release = acquireRunLock(root);
    expect(() => acquireRunLock(root)).toThrow(new InfraError(`Switchboard is already running from this checkout (launcher pid ${process.pid}). Stop it with Ctrl-C in its terminal, or: kill ${process.pid}`));
    release();
    acquireRunLock(root)();
  });

  it('takes over a stale lock left by a dead launcher', async () => {
    const child = spawn(process.execPath, ['-e', '0']);
    const deadPid = child.pid!;
    await new Promise((r) => child.on('exit', r));
    fs.writeFileSync(path.join(root, '.infra', 'switchboard.pid'), String(deadPid));
    const release = acquireRunLock(root);
    expect(fs.readFileSync(path.join(root, '.infra', 'switchboard.pid'), 'utf8')).toBe(String(process.pid));
    release();
  });
});

describe('dev secrets', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-secret-'));
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('creates a private random secret once and reuses it', () => {
    const a = devSecret(root, 'CALLER_HASH_KEY', {});
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(devSecret(root, 'CALLER_HASH_KEY', {})).toBe(a);
    expect(fs.statSync(path.join(root, '.infra', 'dev-caller-hash-key')).mode & 0o777).toBe(0o600);
    expect(devSecret(root, 'AUTH_JWT_SECRET', {})).not.toBe(a);
  });

  it('prefers the environment', () => {
    expect(devSecret(root, 'AMI_SECRET', { AMI_SECRET: 'from-env' })).toBe('from-env');
  });
});

describe('kafka options', () => {
  it('derives the controller port and rejects a malformed port naming the variable', () => {
    expect(kafkaOptions({ SWITCHBOARD_KAFKA_PORT: '19092' })).toMatchObject({ port: 19092, controllerPort: 19093 });
    expect(() => kafkaOptions({ SWITCHBOARD_KAFKA_PORT: 'abc' })).toThrow("SWITCHBOARD_KAFKA_PORT: expected a TCP port number, got 'abc'");
  });
});
