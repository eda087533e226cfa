import { CallCenterSimulation, type RoutingMode } from './call-center.simulation';
import { GroundTruthRecorder, type GroundTruthRecord } from './ground-truth';
import { createRng } from './prng';
import type { Scenario } from './scenario';
import type { SimFact } from './sim-facts';

export interface OfflineRun {
  readonly records: GroundTruthRecord[];
  readonly factCount: number;
}

/** Runs a whole scenario as fast as possible without any network, e.g. for tests and ground-truth generation. */
export function runOffline(scenario: Scenario, seed: number, onFact?: (fact: SimFact) => void): OfflineRun {
  const routing: RoutingMode = 'internal';
  const simulation = new CallCenterSimulation(scenario, createRng(seed), routing);
  const records: GroundTruthRecord[] = [];
  records.push({ kind: 'run', scenario: scenario.name, seed, routing, startMs: simulation.startMs, endMs: simulation.endMs, ringCycleSeconds: scenario.ringCycleSeconds });
  const recorder = new GroundTruthRecorder(scenario.ringCycleSeconds, (r) => records.push(r));
  let factCount = 0;
  while (!simulation.isFinished()) {
    simulation.advanceTo(Infinity, 10_000);
    for (const fact of simulation.drainFacts()) {
      factCount++;
      recorder.record(fact);
      onFact?.(fact);
    }
  }
  recorder.finish(simulation.now);
  return { records, factCount };
}
