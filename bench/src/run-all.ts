// npm run bench [-- <name filter>]: runs every bench/src/*.bench.ts, each side by side with its baseline, and prints
// a Markdown table (with machine and date) to paste into BENCHMARKS.md. Results also go to bench/results/latest.json.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

interface BenchResult { name: string; metrics: Record<string, number>; baseline: Record<string, number>; notes: string }
type BenchModule = Record<string, unknown>;

async function runModule(file: string): Promise<BenchResult[]> {
  const mod = (await import(file)) as BenchModule;
  const runners = Object.entries(mod).filter(([name, fn]) => /^run\w*Bench$/.test(name) && typeof fn === 'function');
  if (runners.length === 0) throw new Error(`${path.basename(file)} exports no run…Bench() function`);
  const results: BenchResult[] = [];
  for (const [name, fn] of runners) {
    process.stderr.write(`[bench] ${path.basename(file)} ${name}\n`);
    const r = (await (fn as () => Promise<BenchResult | BenchResult[]>)());
    results.push(...(Array.isArray(r) ? r : [r]));
  }
  return results;
}

const fmt = (v: number) => (Math.abs(v) >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(3));

function toMarkdown(results: BenchResult[]): string {
  const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  const lines = [`Run ${new Date().toISOString()} on ${machine}`, '', '| benchmark | metric | value | baseline | notes |', '|---|---|---|---|---|'];
  for (const r of results) {
    const keys = Object.keys(r.metrics);
    keys.forEach((k, i) => lines.push(`| ${i === 0 ? r.name : ''} | ${k} | ${fmt(r.metrics[k])} | ${k in r.baseline ? fmt(r.baseline[k]) : ''} | ${i === 0 ? r.notes : ''} |`));
    // Baseline figures with no metric of the same name (the bare producer's records/s next to the gateway's, say).
    Object.keys(r.baseline).filter((k) => !(k in r.metrics)).forEach((k) => lines.push(`|  | ${k} |  | ${fmt(r.baseline[k])} |  |`));
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const filter = process.argv[2] ?? '';
  const files = fs.readdirSync(__dirname).filter((f) => f.endsWith('.bench.ts') && f.includes(filter)).sort();
  const results: BenchResult[] = [];
  for (const f of files) results.push(...(await runModule(path.join(__dirname, f))));
  const out = path.join(__dirname, '..', 'results');
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, 'latest.json'), JSON.stringify({ at: new Date().toISOString(), results }, null, 2));
  console.log(toMarkdown(results));
}

main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
