import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

/** Buf checks run the npm-installed binary directly (no npx startup cost) from libs/contracts. */
const contractsDir = join(__dirname, '..');
const buf = join(contractsDir, '../../node_modules/.bin/buf');
const run = (args: string[], cwd = contractsDir) => {
  const r = spawnSync(buf, args, { cwd, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
};

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? filesUnder(join(dir, n)) : [join(dir, n)]));
}

describe('protos (Buf)', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'contracts-protos-'));
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('should pass buf lint', () => {
    const r = run(['lint']);
    expect(r.output).toBe('');
    expect(r.status).toBe(0);
  });

  it('should have no breaking change against the committed baseline', () => {
    const r = run(['breaking', '--against', 'proto/baseline.binpb']);
    expect(r.output).toBe('');
    expect(r.status).toBe(0);
  });

  it('should fail buf breaking for a deliberately broken copy (field removed, type changed)', () => {
    const copy = join(tmp, 'broken');
    cpSync(join(contractsDir, 'proto'), join(copy, 'proto'), { recursive: true });
    cpSync(join(contractsDir, 'buf.yaml'), join(copy, 'buf.yaml'));
    const file = join(copy, 'proto/switchboard/routing/v1/routing_service.proto');
    const broken = readFileSync(file, 'utf8')
      .replace('  int32 max_waiting_calls = 7;\n', '')
      .replace('double longest_wait_seconds = 3;', 'string longest_wait_seconds = 3;');
    writeFileSync(file, broken);
    const r = run(['breaking', '--against', join(contractsDir, 'proto/baseline.binpb')], copy);
    expect(r.status).not.toBe(0);
    expect(r.output).toContain('Previously present field "7" with name "max_waiting_calls" on message "Queue" was deleted');
    expect(r.output).toContain('longest_wait_seconds');
  });

  it('should have committed generated stubs identical to a fresh buf generate', () => {
    const out = join(tmp, 'gen');
    const r = run(['generate', '--output', out]);
    expect(r.output).toBe('');
    const fresh = join(out, 'src/generated');
    const committed = join(contractsDir, 'src/generated');
    const rel = (root: string) => filesUnder(root).map((f) => relative(root, f)).sort();
    expect(rel(committed)).toEqual(rel(fresh));
    const drifted = rel(fresh).filter((f) => readFileSync(join(fresh, f), 'utf8') !== readFileSync(join(committed, f), 'utf8'));
    if (drifted.length > 0) throw new Error(`Generated stubs drifted (${drifted.join(', ')}). Run: libs/contracts/scripts/generate-protos.sh`);
  }, 60_000);
});
