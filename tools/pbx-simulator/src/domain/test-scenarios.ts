import type { QueueSpec, Scenario } from './scenario';

/** Minimal building blocks for specs and benchmarks: one queue, one agent group, no noise unless asked for. */
export function simpleQueue(overrides: Partial<QueueSpec> = {}): QueueSpec {
  return {
    name: 'support',
    strategy: 'leastrecent',
    arrivals: { kind: 'constant', callsPerHour: 60 },
    patience: { kind: 'fixed', value: 100_000 },
    ringTimeoutSeconds: 15,
    retrySeconds: 5,
    talk: { kind: 'fixed', value: 180 },
    holdCount: { kind: 'fixed', value: 0 },
    holdDuration: { kind: 'fixed', value: 30 },
    afterCallWork: { kind: 'fixed', value: 0 },
    agentHangupProbability: 0,
    serviceLevelSeconds: 20,
    ...overrides,
  };
}

export function simpleScenario(overrides: Partial<Scenario> = {}, agents = 5, agentOverrides: Partial<Scenario['agentGroups'][number]> = {}): Scenario {
  return {
    name: 'spec',
    date: '2025-03-03',
    startTime: '08:00',
    durationHours: 1,
    ringCycleSeconds: 5,
    acwPauseReason: 'ACW',
    routingDecisionTimeoutSeconds: 10,
    queues: [simpleQueue()],
    agentGroups: [
      {
        count: agents,
        firstExtension: 1001,
        skills: { support: 0 },
        shift: { start: '00:00', end: '999:00' },
        breaks: [],
        lateness: { probability: 0, minutes: { kind: 'fixed', value: 0 } },
        earlyLogoff: { probability: 0, minutes: { kind: 'fixed', value: 0 } },
        unplannedNotReady: { perHour: 0, reasons: [] },
        ringNoAnswerProbability: 0,
        answerDelay: { kind: 'fixed', value: 0 },
        ...agentOverrides,
      },
    ],
    callers: { population: 1_000_000, unresolvedProbability: 0, callBackAfterUnresolvedProbability: 0, callBackAfterAbandonProbability: 0, callBackDelay: { kind: 'fixed', value: 600 } },
    ...overrides,
  };
}
