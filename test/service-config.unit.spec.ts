// A service with a missing or malformed setting stops at once with one line naming the setting (exit code 2).
import { execFile } from 'node:child_process';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..');

function startQa(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['-r', '@swc-node/register', 'services/qa/src/main.ts'], { cwd: root, env: { PATH: process.env.PATH!, ...env }, timeout: 30_000 },
      (err, _stdout, stderr) => resolve({ code: err ? (err as { code?: number }).code ?? null : 0, stderr }));
  });
}

const base = { KAFKA_BROKERS: '127.0.0.1:9092', DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres', AUTH_JWT_SECRET: 'k'.repeat(32) };

describe('service configuration at start', () => {
  jest.setTimeout(40_000);

  it('names a malformed setting in one line and exits 2', async () => {
    const { code, stderr } = await startQa({ ...base, GRPC_PORT: 'eighty' });
    expect(code).toBe(2);
    expect(stderr).toBe(`qa: configuration error: "GRPC_PORT" should be a valid integer (got 'eighty')\n`);
  });

  it('names a missing setting in one line and exits 2', async () => {
    const { DATABASE_URL: _omitted, ...rest } = base;
    const { code, stderr } = await startQa(rest);
    expect(code).toBe(2);
    expect(stderr).toBe('qa: configuration error: "DATABASE_URL" is a required variable, but it was not set\n');
  });
});
