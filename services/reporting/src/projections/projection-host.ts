import { ProjectionProgress, ProjectionRunner } from '@switchboard/eventsourcing';
import type { Kafka, Producer } from 'kafkajs';
import type { Pool } from 'pg';
import { agentStateProjection } from './agent-state.projection';
import { callFactsProjection } from './call-facts.projection';

export interface ProjectionHostOptions {
  kafka: Kafka;
  pool: Pool;
  deadLetterProducer: Producer;
  /** Override the registry topics (tests, replays from a copy). */
  topics?: { call: readonly string[]; agent: readonly string[] };
  chunkSize?: number;
  onProgress?: (p: ProjectionProgress) => void;
  logger?: { info(obj: object, msg: string): void };
}

export interface ProjectionHost {
  /** Resolves once every projection has caught up and readers see it. */
  whenActive(): Promise<void>;
  stop(): Promise<void>;
}

/** Keeps the reporting read models (call facts, agent state and segments) up to date from the telephony topics. */
export async function startProjections(o: ProjectionHostOptions): Promise<ProjectionHost> {
  const common = { kafka: o.kafka, pool: o.pool, deadLetterProducer: o.deadLetterProducer, chunkSize: o.chunkSize ?? 500,
    progressIntervalMs: 1000, onProgress: o.onProgress, logger: o.logger,
    // A host reading overridden topics (tests, replays) gets its own consumer groups.
    groupIdSuffix: o.topics ? o.topics.call.join('+') : undefined };
  const runners = [
    // Call facts are idempotent per event (order-independent merges, the wrap-up sum keyed by event id, visits resolved
    // from the event's own time: call-facts.batch.int.spec), so their offsets alone make them exactly-once.
    new ProjectionRunner(callFactsProjection(o.topics?.call), { ...common, dedupeEventIds: false }),
    // Agent state keeps the id table: a LoggedIn republished after a state change of the same instant would reset it.
    new ProjectionRunner(agentStateProjection(o.topics?.agent), common),
  ];
  for (const r of runners) await r.start();
  return {
    whenActive: async () => void (await Promise.all(runners.map((r) => r.whenActive()))),
    stop: async () => void (await Promise.all(runners.map((r) => r.stop()))),
  };
}
