import type { Kafka, Producer } from 'kafkajs';
import type { Pool } from 'pg';
import { createIdempotentProducer, OutboxRelay } from '@switchboard/eventsourcing';
import type { RoutingConfiguration } from './configuration/application/routing-configuration';
import { certificationConsumer } from './configuration/infrastructure/certification-events.kafka-consumer';
import type { LiveRouter } from './matching/application/live-router';
import type { FloorAlerts } from './agent-state-limits/application/floor-alerts';
import { telephonyConsumer } from './matching/infrastructure/telephony-events.kafka-consumer';

export interface RoutingRuntimeOptions {
  pool: Pool;
  kafka: Kafka;
  /** Idempotent producer: publishes the outbox and dead letters. */
  producer: Producer;
  router: LiveRouter;
  configuration: RoutingConfiguration;
  /** Agent-state limit alerts, evaluated on every clock tick (absent: not evaluated). */
  floorAlerts?: FloorAlerts;
  topics: { telephony: string[]; certification?: string };
  groupIdPrefix: string;
  clockTickMs: number;
  sessionTimeoutMs?: number;
  chunkSize?: number;
  onError?: (error: Error) => void;
  beforeEachTelephonyEvent?: () => Promise<void>;
}

export interface RoutingRuntime { stop(): Promise<void> }

/**
 * The moving parts behind the gRPC API: telephony and certification consumers, the outbox relay, the clock (policy
 * step expiries, agent holds and floor alerts, all on the routing clock: ADR 0007).
 */
export async function startRoutingRuntime(o: RoutingRuntimeOptions): Promise<RoutingRuntime> {
  const relay = new OutboxRelay({ pool: o.pool, producer: o.producer, createProducer: () => createIdempotentProducer(o.kafka), name: `${o.groupIdPrefix}.outbox`, onError: o.onError });
  await relay.start();
  const telephony = telephonyConsumer({
    kafka: o.kafka, pool: o.pool, deadLetterProducer: o.producer, router: o.router, groupId: `${o.groupIdPrefix}.telephony`,
    topics: o.topics.telephony, sessionTimeoutMs: o.sessionTimeoutMs, chunkSize: o.chunkSize, beforeEach: o.beforeEachTelephonyEvent,
  });
  const certifications = o.topics.certification === undefined ? undefined : certificationConsumer({
    kafka: o.kafka, pool: o.pool, deadLetterProducer: o.producer, configuration: o.configuration,
    groupId: `${o.groupIdPrefix}.certifications`, topic: o.topics.certification,
  });
  await telephony.start();
  await certifications?.start();
  let ticking: Promise<void> = Promise.resolve();
  const clock = setInterval(() => {
    ticking = ticking.then(async () => {
      await o.router.tick(o.router.clock());
      await o.floorAlerts?.evaluate(o.router.engine.book.agents.values(), o.router.clock());
    }).catch((e: Error) => o.onError?.(e));
  }, o.clockTickMs);
  return {
    stop: async () => {
      clearInterval(clock);
      await ticking;
      await telephony.stop();
      await certifications?.stop();
      await relay.stop();
    },
  };
}
