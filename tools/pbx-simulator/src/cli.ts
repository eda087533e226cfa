/**
 * PBX simulator command line:
 *   node -r @swc-node/register tools/pbx-simulator/src/cli.ts run --scenario small-test-day --seed 1 --speed 60 \
 *     --ami-port 5038 --esl-port 8021 [--ground-truth out.jsonl] [--routing internal|external] \
 *     [--ami-user switchboard --ami-secret switchboard --esl-password ClueCon] [--wait-for-clients 1] [--max-wait S] [--vip-share F] [--date YYYY-MM-DD] [--recordings-dir D]
 *   node -r @swc-node/register tools/pbx-simulator/src/cli.ts kpis --ground-truth out.jsonl [--interval 30]
 * --speed: simulated seconds per second (1 = real time) or "max". --scenario: a file path or a name under scenarios/.
 * --max-wait: every queue times out after S seconds (queue timeouts in the day; ground truth `timeout`).
 * --recordings-dir: record answered calls as WAV files there (MixMonitor / RECORD_* events; ground truth `recording`);
 *   --recordings-reported-dir: the directory as the PBX names it in its events (default: the same).
 * --date: play the scenario's day on this date instead (call ids embed the simulated time, so a replay on another date
 *   never collides with an earlier run's calls on the same topics).
 * --vip-share: share of callers (0..1) tagged `vip` in SWITCHBOARD_CALLER_TIER (ground truth `callerTier`).
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { computeKpis, DEFAULT_ORACLE_OPTIONS, parseGroundTruth, type ContactKpis } from './oracle/kpi-oracle';
import { loadScenario, startSimulator, type SimulatorProgress } from './runtime/simulator';
import { withDate, withQueueTimeout, withVipShare, type Scenario } from './domain/scenario';

type Flags = Record<string, string>;

function parseFlags(args: readonly string[]): Flags {
  const flags: Flags = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith('--')) throw new Error(`Unexpected argument ${arg}`);
    const next = args[i + 1];
    if (next === undefined || next.startsWith('--')) flags[arg.slice(2)] = 'true';
    else flags[arg.slice(2)] = args[++i];
  }
  return flags;
}

function resolveScenario(value: string | undefined): string {
  if (!value) throw new Error('--scenario is required');
  if (existsSync(value)) return value;
  const named = path.join(__dirname, '..', 'scenarios', `${value}.json`);
  if (existsSync(named)) return named;
  throw new Error(`Scenario ${value} not found (neither a file nor a name under tools/pbx-simulator/scenarios)`);
}

const optionalPort = (value: string | undefined): number | null => (value === undefined ? null : Number(value));
const percent = (v: number | null): string => (v === null ? '-' : `${(v * 100).toFixed(1)}%`);
const secondsText = (v: number | null): string => (v === null ? '-' : `${v.toFixed(1)}s`);

function describeProgress(p: SimulatorProgress): string {
  return `[sim ${p.simulatedTime}] facts=${p.facts} contacts=${p.contacts} ami=${(p.amiBytes / 1e6).toFixed(1)}MB clients ami=${p.amiClients} esl=${p.eslClients}${p.finished ? ' finished' : ''}`;
}

function describeKpis(label: string, k: ContactKpis): string {
  return `${label.padEnd(10)} offered=${k.offered} answered=${k.answered} abandoned=${k.abandoned} (short ${k.shortAbandoned}) timeout=${k.timedOut} ` +
    `SL=${percent(k.serviceLevelAsterisk)} SL2=${percent(k.serviceLevel2Asterisk)} SLconnect=${percent(k.serviceLevelConnect)} ` +
    `ASA=${secondsText(k.asaSeconds)} AHT=${secondsText(k.ahtSeconds)} ringViol=${k.ringViolations} holdViol=${k.holdViolations} missedRouting=${k.routingDecisionsMissed}`;
}

async function waitForClients(count: number, progress: () => SimulatorProgress): Promise<void> {
  process.stdout.write(`waiting for ${count} logged-in AMI/ESL client(s)…\n`);
  while (progress().amiClients + progress().eslClients < count) await new Promise((r) => setTimeout(r, 100));
}

/** The named scenario with the command line's overrides (--max-wait, --vip-share, --date). */
async function scenarioOf(flags: Flags): Promise<Scenario | string> {
  if (flags['max-wait'] === undefined && flags['vip-share'] === undefined && flags.date === undefined) return resolveScenario(flags.scenario);
  let scenario = await loadScenario(resolveScenario(flags.scenario));
  if (flags['max-wait'] !== undefined) scenario = withQueueTimeout(scenario, Number(flags['max-wait']));
  if (flags['vip-share'] !== undefined) scenario = withVipShare(scenario, Number(flags['vip-share']));
  if (flags.date !== undefined) scenario = withDate(scenario, flags.date);
  return scenario;
}

async function run(flags: Flags): Promise<void> {
  const speed = flags.speed === undefined || flags.speed === 'max' ? 'max' : Number(flags.speed);
  const sim = await startSimulator({
    scenario: await scenarioOf(flags),
    seed: Number(flags.seed ?? 1),
    speed,
    amiPort: optionalPort(flags['ami-port']),
    eslPort: optionalPort(flags['esl-port']),
    host: flags.host ?? '127.0.0.1',
    routing: flags.routing === 'external' ? 'external' : 'internal',
    amiUsername: flags['ami-user'],
    amiSecret: flags['ami-secret'],
    eslPassword: flags['esl-password'],
    groundTruthPath: flags['ground-truth'],
    recordingsDir: flags['recordings-dir'],
    recordingsReportedDir: flags['recordings-reported-dir'],
    autoStart: false,
    onProgress: (p) => process.stdout.write(`${describeProgress(p)}\n`),
  });
  process.stdout.write(`PBX simulator listening: AMI ${sim.amiPort ?? '-'} ESL ${sim.eslPort ?? '-'} speed ${speed}\n`);
  if (flags['wait-for-clients']) await waitForClients(Number(flags['wait-for-clients']), sim.progress);
  const stop = (): void => void sim.stop().then(() => process.exit(130));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  sim.start();
  const summary = await sim.done;
  process.stdout.write(`done: ${summary.facts} facts, ${summary.contacts} contacts in ${(summary.wallMs / 1000).toFixed(1)}s wall\n`);
  const daily = computeKpis(sim.groundTruth()).daily;
  process.stdout.write(`${describeKpis('all', daily.total)}\n`);
  for (const [queue, k] of Object.entries(daily.byQueue)) process.stdout.write(`${describeKpis(queue, k)}\n`);
  process.stdout.write(`occupancy=${percent(daily.agents.occupancy)} not-ready by reason=${JSON.stringify(daily.agents.notReadySecondsByReason)}\n`);
  if (flags['ground-truth']) process.stdout.write(`ground truth written to ${flags['ground-truth']}\n`);
  await sim.stop();
}

function kpis(flags: Flags): void {
  if (!flags['ground-truth']) throw new Error('--ground-truth is required');
  const interval = Number(flags.interval ?? 30) as 15 | 30 | 60;
  const report = computeKpis(parseGroundTruth(readFileSync(flags['ground-truth'], 'utf8')), { ...DEFAULT_ORACLE_OPTIONS, intervalMinutes: interval });
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
}

async function main(argv: readonly string[]): Promise<void> {
  const [command, ...rest] = argv;
  const flags = parseFlags(rest);
  if (command === 'run') return run(flags);
  if (command === 'kpis') return kpis(flags);
  process.stderr.write('usage: cli.ts run --scenario <file|name> --seed N --speed X|max --ami-port P --esl-port Q [--ground-truth out.jsonl] [--routing internal|external]\n       cli.ts kpis --ground-truth out.jsonl [--interval 15|30|60]\n');
  process.exitCode = 2;
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
