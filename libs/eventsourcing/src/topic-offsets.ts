import type { Admin } from 'kafkajs';

type TopicOffsets = Awaited<ReturnType<Admin['fetchTopicOffsets']>>;

/**
 * `admin.fetchTopicOffsets`, retried while Kafka answers with a retriable error. Right after a topic is created its
 * partitions' leaders are still being elected, and the broker answers "not the leader for that topic-partition";
 * kafkajs's admin does not retry that for this call.
 */
export async function fetchTopicOffsetsRetrying(admin: Pick<Admin, 'fetchTopicOffsets'>, topic: string, attempts = 10, delayMs = 200): Promise<TopicOffsets> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await admin.fetchTopicOffsets(topic);
    } catch (e) {
      if (attempt >= attempts || (e as { retriable?: boolean }).retriable !== true) throw e;
      await new Promise((resolve) => setTimeout(resolve, delayMs * attempt));
    }
  }
}
