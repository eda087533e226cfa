// The architecture rules are executable: these tests prove the lint catches a service importing another service
// and I/O, framework, environment or clock use inside a domain/ folder.
import { execFile, execFileSync } from 'node:child_process';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..');
const eslintBin = path.join(root, 'node_modules', 'eslint', 'bin', 'eslint.js');

/** Runs the project's real ESLint CLI (ESM config) on `code` as if it were the given file. */
function lint(relativeFile: string, code: string): Promise<{ ruleId: string | null; message: string }[]> {
  return new Promise((resolve, reject) => {
    const child = execFile(process.execPath, [eslintBin, '--format', 'json', '--stdin', '--stdin-filename', relativeFile],
      { cwd: root, env: { ...process.env, NX_DAEMON: 'false' } }, (err, stdout, stderr) => {
        if (err && err.code !== 1) return reject(new Error(`eslint failed: ${stderr || err.message}`));
        const [result] = JSON.parse(stdout.slice(stdout.indexOf('[{'))) as { messages: { ruleId: string | null; message: string }[] }[];
        resolve(result.messages.map(({ ruleId, message }) => ({ ruleId, message })));
      });
    child.stdin!.end(code);
  });
}

jest.setTimeout(30_000);

// The Nx rule silently skips itself without a project graph; computing it first is part of the lint (see test.sh).
beforeAll(() => {
  execFileSync(process.execPath, [path.join(root, 'node_modules', 'nx', 'dist', 'bin', 'nx.js'), 'show', 'projects'],
    { cwd: root, env: { ...process.env, NX_DAEMON: 'false' }, stdio: 'ignore' });
}, 60_000);

describe('module boundaries', () => {
  it('rejects a service importing another service by package name', async () => {
    const messages = await lint('services/qa/src/probe.ts', "import { RoutingModule } from '@switchboard/routing';\nexport const x = RoutingModule;\n");
    expect(messages).toContainEqual(expect.objectContaining({ ruleId: '@nx/enforce-module-boundaries' }));
  });

  it('rejects a service reaching into another service by relative path', async () => {
    const messages = await lint('services/qa/src/probe.ts', "import { RoutingModule } from '../../routing/src/routing.module';\nexport const x = RoutingModule;\n");
    expect(messages).toContainEqual(expect.objectContaining({ ruleId: '@nx/enforce-module-boundaries' }));
  });

  it('rejects the simulator importing platform code other than contracts', async () => {
    const messages = await lint('tools/pbx-simulator/src/probe.ts', "import { loadConfig } from '@switchboard/config';\nexport const x = loadConfig;\n");
    expect(messages).toContainEqual(expect.objectContaining({ ruleId: '@nx/enforce-module-boundaries' }));
  });

  it('rejects production code of a service importing the simulator, and allows its integration tests to', async () => {
    const code = "import { startSimulator } from '@switchboard/pbx-simulator';\nexport const x = startSimulator;\n";
    expect(await lint('services/telephony-gateway/src/probe.ts', code)).toContainEqual(expect.objectContaining({ ruleId: '@nx/enforce-module-boundaries' }));
    expect(await lint('services/telephony-gateway/src/probe.int.spec.ts', code)).toEqual([]);
  });

  it('allows a service to use the shared libraries', async () => {
    const messages = await lint('services/qa/src/probe.ts', "import { loadConfig } from '@switchboard/config';\nexport const x = loadConfig;\n");
    expect(messages).toEqual([]);
  });
});

describe('domain purity', () => {
  const domainFile = 'services/routing/src/call-routing/domain/probe.ts';
  const cases: [string, string][] = [
    ['Nest', "import { Injectable } from '@nestjs/common';\nexport const x = Injectable;\n"],
    ['kafkajs', "import { Kafka } from 'kafkajs';\nexport const x = Kafka;\n"],
    ['pg', "import { Pool } from 'pg';\nexport const x = Pool;\n"],
    ['node I/O', "import * as fs from 'node:fs';\nexport const x = fs;\n"],
    ['process.env', 'export const x = process.env.SECRET;\n'],
    ['the clock (Date.now)', 'export const x = () => Date.now();\n'],
    ['the clock (new Date())', 'export const x = () => new Date();\n'],
    ['randomness', 'export const x = () => Math.random();\n'],
  ];
  it.each(cases)('rejects %s inside domain/', async (_what, code) => {
    const messages = await lint(domainFile, code);
    expect(messages.length).toBeGreaterThan(0);
    expect(messages.map((m) => m.ruleId)).toEqual(expect.arrayContaining([expect.stringMatching(/^no-restricted-(imports|globals|syntax)$/)]));
  });

  it('accepts pure code that takes time from the command', async () => {
    const code = "export const decide = (cmd: { now: string }) => ({ type: 'CallQueued', at: new Date(cmd.now).toISOString() });\n";
    expect(await lint(domainFile, code)).toEqual([]);
  });

  it('allows the same imports outside domain/', async () => {
    const messages = await lint('services/routing/src/call-routing/infrastructure/probe.ts', "import { Pool } from 'pg';\nexport const x = Pool;\n");
    expect(messages).toEqual([]);
  });
});
