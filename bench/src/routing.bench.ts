/**
 * Routing decision latency in-process: 2,000 agents, 100 skills, 500 waiting calls, steady traffic (agents freeing
 * up, calls arriving, overflow by time). The indexed engine runs first and records its inputs; the naive full-scan
 * matcher then replays exactly those inputs in the same process, and both decision streams must agree.
 * Run directly: node -r @swc-node/register bench/src/routing.bench.ts
 */
import { performance } from 'node:perf_hooks';
import {
  answerOffers, NaiveMatcher, nextTraffic, populationInputs, RoutingEngine, seededRandom,
  type LoadShape, type RoutingDecision, type RoutingInput,
} from '@switchboard/routing';
import type { BenchResult } from './pbx-simulator.bench';

const SHAPE: LoadShape = { agents: 2_000, skills: 100, queues: 200, waitingCalls: 500, seed: 42 };
const WARMUP_TICKS = 3_000;
const MEASURED_TICKS = 20_000;
const TICK_MS = 50;
const TARGET_P99_MS = 1;
const TARGET_PER_SECOND = 5_000;

/** Inputs after which the router decides something (a freed agent, an arriving call); the rest is bookkeeping. */
const isDecisionPoint = (i: RoutingInput) => i.type === 'AgentBecameReady' || i.type === 'CallQueued';

interface Run {
  latenciesMs: number[];
  decisions: RoutingDecision[];
  waitingSamples: number[];
}

function timed(engine: RoutingEngine, input: RoutingInput, run: Run, measure: boolean): void {
  const start = performance.now();
  const out = engine.handle(input);
  const elapsed = performance.now() - start;
  if (measure && isDecisionPoint(input)) run.latenciesMs.push(elapsed);
  if (measure) run.decisions.push(...out);
}

/** The indexed engine drives the traffic; returns its run and the recorded inputs (with a measure flag each). */
function runIndexed(): { run: Run; script: [RoutingInput, boolean][] } {
  const engine = new RoutingEngine();
  const run: Run = { latenciesMs: [], decisions: [], waitingSamples: [] };
  const { inputs, at: start } = populationInputs(SHAPE);
  const script: [RoutingInput, boolean][] = inputs.map((i) => [i, false]);
  inputs.forEach((i) => engine.handle(i));
  const rnd = seededRandom(SHAPE.seed + 1);
  for (let tick = 0, at = start; tick < WARMUP_TICKS + MEASURED_TICKS; tick++, at += TICK_MS) {
    const measure = tick >= WARMUP_TICKS;
    for (const input of nextTraffic(engine, rnd, SHAPE, at, tick)) {
      script.push([input, measure]);
      timed(engine, input, run, measure);
    }
    for (const input of answerOffers(engine, at)) {
      script.push([input, false]);
      engine.handle(input);
    }
    if (measure) run.waitingSamples.push(engine.book.calls.size);
  }
  return { run, script };
}

function runNaive(script: [RoutingInput, boolean][]): Run {
  const engine = new RoutingEngine((v) => new NaiveMatcher(v));
  const run: Run = { latenciesMs: [], decisions: [], waitingSamples: [] };
  for (const [input, measure] of script) timed(engine, input, run, measure);
  return run;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];

function stats(run: Run): Record<string, number> {
  const sorted = [...run.latenciesMs].sort((a, b) => a - b);
  const total = run.latenciesMs.reduce((a, b) => a + b, 0);
  const round = (x: number, d = 4) => Number(x.toFixed(d));
  return {
    decisions: sorted.length,
    p50_ms: round(percentile(sorted, 0.5)), p99_ms: round(percentile(sorted, 0.99)), max_ms: round(sorted[sorted.length - 1]),
    decisions_per_s: Math.round(sorted.length / (total / 1000)),
    assignments: run.decisions.filter((d) => d.type === 'CallAssigned').length,
    overflows: run.decisions.filter((d) => d.type === 'CallOverflowed').length,
  };
}

const winners = (ds: RoutingDecision[]) => ds.map((d) => (d.type === 'CallAssigned' ? `${d.data.callId}>${d.data.agentId}` : `${d.type}:${d.data.callId}`));

export async function runRoutingBench(): Promise<BenchResult> {
  const { run: indexed, script } = runIndexed();
  const naive = runNaive(script);
  const mismatches = countMismatches(winners(indexed.decisions), winners(naive.decisions));
  const metrics = stats(indexed);
  const baseline = stats(naive);
  const avgWaiting = Math.round(indexed.waitingSamples.reduce((a, b) => a + b, 0) / indexed.waitingSamples.length);
  const notes = [
    `${SHAPE.agents} agents, ${SHAPE.skills} skills, ${SHAPE.queues} queues, ~${avgWaiting} calls waiting on average (target ${SHAPE.waitingCalls}).`,
    `Latency = one engine.handle() of a freed agent or an arriving call, index upkeep and due overflows included.`,
    `Indexed vs naive full scan: p99 ${ratio(baseline.p99_ms, metrics.p99_ms)}x lower, ${ratio(metrics.decisions_per_s, baseline.decisions_per_s)}x more decisions/s.`,
    `Targets: p99 < ${TARGET_P99_MS} ms (${metrics.p99_ms < TARGET_P99_MS ? 'met' : 'MISSED'}), >= ${TARGET_PER_SECOND}/s (${metrics.decisions_per_s >= TARGET_PER_SECOND ? 'met' : 'MISSED'}).`,
    `Decision streams of the two matchers: ${mismatches} mismatches over ${indexed.decisions.length} decisions.`,
  ].join(' ');
  return { name: 'routing-decision-latency', metrics, baseline, notes };
}

const ratio = (a: number, b: number) => (b === 0 ? 'inf' : (a / b).toFixed(1));

function countMismatches(a: string[], b: string[]): number {
  let n = Math.abs(a.length - b.length);
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) n++;
  return n;
}

if (require.main === module) {
  runRoutingBench().then((r) => console.log(JSON.stringify(r, null, 2)), (e) => {
    console.error(e);
    process.exit(1);
  });
}
