import type { Kafka } from 'kafkajs';
import { decode, type AnyEvent } from '@switchboard/contracts';
import { uniqueName } from '@switchboard/testing';

/**
 * Reads a topic with a throwaway group until `n` distinct events (by id, as consumers deduplicate a relay's
 * republished batch) have arrived; each must be a valid contract event.
 */
export async function readEvents(kafka: Kafka, topic: string, n: number, timeoutMs = 30_000): Promise<AnyEvent[]> {
  const consumer = kafka.consumer({ groupId: uniqueName('reader') });
  const out: AnyEvent[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  try {
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`read ${out.length} of ${n} from ${topic}`)), timeoutMs);
      void consumer.run({ eachMessage: async ({ message }) => {
        const result = decode(message.value);
        if (result.status !== 'event') throw new Error(`invalid event on ${topic}: ${result.status}`);
        if (!out.some((e) => e.id === result.event.id)) out.push(result.event);
        if (out.length >= n) { clearTimeout(t); resolve(); }
      } });
    });
  } finally {
    await consumer.disconnect();
  }
  return out;
}
