// Proves kafkajs 2.2.4 works against the Apache Kafka 4.1 broker that deploy/local runs:
// produce, consume in a group, commit, restart the consumer, resume at the committed offset.
import { Consumer, EachMessagePayload, Kafka } from 'kafkajs';
import { createTopics, testKafka, uniqueName } from '@switchboard/testing';

async function consumeUntil(kafka: Kafka, groupId: string, topic: string, count: number): Promise<{ consumer: Consumer; values: string[] }> {
  const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1000 });
  const values: string[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`received only ${values.length} of ${count}`)), 60_000);
    consumer.run({
      autoCommit: false,
      eachMessage: async ({ message, partition }: EachMessagePayload) => {
        values.push(message.value!.toString());
        await consumer.commitOffsets([{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
        if (values.length === count) { clearTimeout(timer); resolve(); }
      },
    }).catch(reject);
  });
  return { consumer, values };
}

describe('kafkajs against the local Kafka 4.x broker', () => {
  const kafka = testKafka();
  const topic = uniqueName('it-broker');
  const groupId = uniqueName('it-group');

  beforeAll(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await createTopics(admin, [topic]);
    await admin.disconnect();
  });

  it('resumes a restarted consumer group at the committed offset', async () => {
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: ['a', 'b', 'c'].map((value) => ({ key: 'k', value })) });

    const first = await consumeUntil(kafka, groupId, topic, 3);
    expect(first.values).toEqual(['a', 'b', 'c']);
    await first.consumer.disconnect();

    await producer.send({ topic, acks: -1, messages: ['d', 'e'].map((value) => ({ key: 'k', value })) });
    const second = await consumeUntil(kafka, groupId, topic, 2);
    expect(second.values).toEqual(['d', 'e']);
    await second.consumer.disconnect();
    await producer.disconnect();

    const admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
    await admin.disconnect();
    expect(offsets[0].partitions[0].offset).toBe('5');
  });
});
