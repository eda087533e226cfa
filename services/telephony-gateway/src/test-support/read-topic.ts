import { testKafka, uniqueName } from '@switchboard/testing';

export type TopicEvent = { type: string; subject: string; time: string; sequence: number; tenant: string; id: string; data: Record<string, unknown> };

/** Reads a topic from the beginning (one tenant's events) until `until` holds and every partition has been quiet for a moment. */
export async function readTopic(topic: string, tenant: string, until: (events: TopicEvent[]) => boolean, timeoutMs = 90_000): Promise<TopicEvent[]> {
  const consumer = testKafka().consumer({ groupId: uniqueName('gw-it') });
  const events: TopicEvent[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let resolve!: () => void;
  const enough = new Promise<void>((r) => (resolve = r));
  let quiet: NodeJS.Timeout | undefined;
  await consumer.run({ eachMessage: async ({ message }) => {
    const e = JSON.parse(message.value!.toString()) as TopicEvent;
    if (e.tenant === tenant) events.push(e);
    if (until(events)) { clearTimeout(quiet); quiet = setTimeout(resolve, 1500); }
  } });
  let deadline: NodeJS.Timeout | undefined;
  await Promise.race([enough, new Promise((r) => (deadline = setTimeout(r, timeoutMs)))]);
  clearTimeout(quiet);
  clearTimeout(deadline);
  await consumer.disconnect();
  return events;
}
