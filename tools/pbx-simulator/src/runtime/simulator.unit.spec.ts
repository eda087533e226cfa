import * as path from 'node:path';
import { runOffline } from '../domain/run-offline';
import { validateScenario } from '../domain/scenario';
import { simpleQueue, simpleScenario } from '../domain/test-scenarios';
import { loadScenario, startSimulator } from './simulator';

const scenariosDir = path.join(__dirname, '..', '..', 'scenarios');

describe('startSimulator without network listeners', () => {
  const scenario = simpleScenario(
    { durationHours: 2, queues: [simpleQueue({ patience: { kind: 'exponential', mean: 40 }, holdCount: { kind: 'discrete', values: [0, 1], weights: [1, 1] } })] },
    2,
    { ringNoAnswerProbability: 0.1, answerDelay: { kind: 'uniform', min: 1, max: 14 } },
  );

  it('should write the same ground truth for the same seed, identical to an offline run', async () => {
    const first = await startSimulator({ scenario, seed: 99, speed: 'max' });
    const second = await startSimulator({ scenario, seed: 99, speed: 'max' });
    await Promise.all([first.done, second.done]);
    expect(JSON.stringify(first.groundTruth())).toBe(JSON.stringify(second.groundTruth()));
    expect(JSON.stringify(first.groundTruth())).toBe(JSON.stringify(runOffline(scenario, 99).records));
  });

  it('should pace a compressed day by the wall clock', async () => {
    const sim = await startSimulator({ scenario: { ...scenario, durationHours: 0.1 }, seed: 1, speed: 3600 });
    const started = Date.now();
    await sim.done;
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    await sim.stop();
  });
});

describe('Named scenarios', () => {
  it.each(['small-test-day', 'full-day-200-agents', 'peak-hour-1000-agents'])('%s should be a valid scenario', async (name) => {
    const scenario = await loadScenario(path.join(scenariosDir, `${name}.json`));
    expect(validateScenario(scenario)).toEqual([]);
    expect(scenario.name).toBe(name);
  });

  it('small-test-day should produce a busy but answerable day with the M-shaped traffic', async () => {
    const scenario = await loadScenario(path.join(scenariosDir, 'small-test-day.json'));
    const contacts = runOffline(scenario, 1).records.filter((r) => r.kind === 'contact');
    expect(contacts.length).toBeGreaterThan(800);
    const answered = contacts.filter((c) => c.kind === 'contact' && c.outcome === 'answered').length;
    expect(answered / contacts.length).toBeGreaterThan(0.7);
  });
});
