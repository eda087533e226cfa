import { Topics, type AnyEvent } from '@switchboard/contracts';
import type { ConsumerRunner } from '@switchboard/eventsourcing';
import type { Kafka, Producer } from 'kafkajs';
import type { Pool } from 'pg';
import type { Registry } from 'prom-client';
import type { Settlement } from '../domain/assignment-outcome';
import { assignmentConsumer } from './assignment-consumer';
import { AssignmentExecutor, type ActionLink } from './assignment-executor';

/** The consumer group all links shared before each link had its own; a link's group is `<this>.<pbxLinkId>`. */
export const ASSIGNMENT_GROUP_PREFIX = 'telephony-gateway.assignments';

/** One link's assignment consumer group. */
export const assignmentGroupOf = (prefix: string, pbxLinkId: string): string => `${prefix}.${pbxLinkId}`;

/** A PBX link able to carry out assignments and to commit their outcomes in its calls' sequences (AmiLink, EslLink). */
export interface AssignmentLink extends ActionLink {
  readonly pipeline: { settle(s: Settlement): Promise<void> };
}

export interface LinkAssignmentsOptions {
  readonly kafka: Kafka;
  readonly pool: Pool;
  readonly deadLetterProducer: Producer;
  /** Every link of the gateway's configuration: who owns a call is decided among all of them (ownerOfCall). */
  readonly configuredLinkIds: readonly string[];
  /** Default ASSIGNMENT_GROUP_PREFIX. */
  readonly groupPrefix?: string;
  /** Default `Topics.routingAssignment`. */
  readonly topic?: string;
  readonly concurrency?: number;
  readonly metrics?: Registry;
  readonly log?: (level: 'info' | 'warn', message: string, detail?: Record<string, unknown>) => void;
}

/**
 * A new link group starts where the shared group of earlier versions stopped, so an upgrade neither re-reads the
 * topic from its beginning (assignments long settled or never this link's) nor skips what came since.
 */
const SEED_FROM_SHARED_GROUP = `
insert into es_consumer_offsets (consumer_group, topic, partition, next_offset)
select $2, o.topic, o.partition, o.next_offset from es_consumer_offsets o
 where o.consumer_group = $1 and o.topic = $3
   and not exists (select 1 from es_consumer_offsets n where n.consumer_group = $2 and n.topic = $3)
on conflict do nothing`;

/**
 * Starts the assignment consumer of one held link, in a group of its own: it executes the assignments of the calls
 * this link owns and skips (commits past) the others, which the holder of their link executes in its group. Rows a
 * stop left `executing` on this link are reported `outcome-unknown` first.
 */
export async function startLinkAssignments(o: LinkAssignmentsOptions, link: AssignmentLink): Promise<ConsumerRunner<AnyEvent>> {
  const pbxLinkId = link.config.pbxLinkId;
  const executor = new AssignmentExecutor(o.pool, [link], 5000, (_id, s) => link.pipeline.settle(s), Date.now, o.configuredLinkIds);
  const interrupted = await executor.settleInterrupted();
  if (interrupted > 0) o.log?.('warn', 'routing assignments interrupted by a stop marked failed (outcome unknown)', { pbxLinkId, interrupted });
  const prefix = o.groupPrefix ?? ASSIGNMENT_GROUP_PREFIX;
  const groupId = assignmentGroupOf(prefix, pbxLinkId);
  const topic = o.topic ?? Topics.routingAssignment.name;
  await o.pool.query(SEED_FROM_SHARED_GROUP, [prefix, groupId, topic]);
  const runner = assignmentConsumer({
    kafka: o.kafka, pool: o.pool, deadLetterProducer: o.deadLetterProducer, executor, topic, groupId, metrics: o.metrics, concurrency: o.concurrency,
    onError: (e) => o.log?.('warn', 'routing assignment consumer', { pbxLinkId, error: e.message }),
  });
  await runner.start();
  return runner;
}

/** The link's assignment consumer as something that runs with the link (see HeldLink); `consumers` lists the running ones. */
export function assignmentCompanion(o: LinkAssignmentsOptions, consumers: Map<string, ConsumerRunner<AnyEvent>>) {
  return {
    name: 'routing assignment consumer',
    start: async (link: AssignmentLink): Promise<{ stop(): Promise<void> }> => {
      const runner = await startLinkAssignments(o, link);
      consumers.set(link.config.pbxLinkId, runner);
      return { stop: () => runner.stop().finally(() => consumers.delete(link.config.pbxLinkId)) };
    },
  };
}
