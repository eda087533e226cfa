import type { Kafka } from 'kafkajs';
import { uniqueName } from '@switchboard/testing';

export interface ReadRecord { key: string; value: string; headers: Record<string, string>; partition: number }

/** Reads `n` records from a topic with a throwaway group. */
export async function readAll(kafka: Kafka, topic: string, n: number): Promise<ReadRecord[]> {
  const consumer = kafka.consumer({ groupId: uniqueName('reader') });
  const out: ReadRecord[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`read ${out.length} of ${n} from ${topic}`)), 30_000);
    void consumer.run({ eachMessage: async ({ partition, message }) => {
      out.push({ partition, key: message.key?.toString() ?? '', value: message.value?.toString() ?? '',
        headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])) });
      if (out.length >= n) { clearTimeout(t); resolve(); }
    } });
  });
  await consumer.disconnect();
  return out;
}

/** The number of records on a topic (sum of the partitions' high watermarks; nothing is ever deleted in tests). */
export async function recordCount(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
  } finally {
    await admin.disconnect();
  }
}
