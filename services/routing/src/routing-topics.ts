import type { Admin } from 'kafkajs';
import { DLQ_CONFIG, DLQ_PARTITIONS, Topics, type TopicConfig, type TopicDefinition } from '@switchboard/contracts';

interface TopicSpec { name: string; partitions: number; config: TopicConfig }

const consumed: readonly TopicDefinition[] = [Topics.telephonyCall, Topics.telephonyAgent, Topics.trainingCertification];
const produced: readonly TopicDefinition[] = [Topics.routingAssignment, Topics.routingFloor];

/** Topics routing reads (with their dead-letter topics) and writes, as the registry defines them. */
export const routingTopicSpecs = (): TopicSpec[] => [
  ...[...consumed, ...produced].map((t) => ({ name: t.name, partitions: t.partitions, config: t.config })),
  ...consumed.map((t) => ({ name: t.dlq, partitions: DLQ_PARTITIONS, config: DLQ_CONFIG })),
];

/** Creates the missing ones; existing topics are left as they are (partitions are never changed here). */
export async function ensureTopics(admin: Admin, specs: readonly TopicSpec[]): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = specs.filter((s) => !existing.has(s.name));
  if (missing.length === 0) return [];
  // Resolves false instead of failing when another replica created them in the meantime.
  await admin.createTopics({
    waitForLeaders: true,
    topics: missing.map((s) => ({ topic: s.name, numPartitions: s.partitions, configEntries: Object.entries(s.config).map(([name, value]) => ({ name, value: String(value) })) })),
  });
  return missing.map((s) => s.name);
}
