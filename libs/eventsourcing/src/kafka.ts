import { Kafka, logLevel, Producer } from 'kafkajs';

export function createKafka(clientId: string, brokers: string[]): Kafka {
  return new Kafka({ clientId, brokers, logLevel: logLevel.WARN, retry: { initialRetryTime: 200, retries: 8 } });
}

/** acks=all, idempotent, one request in flight: no duplicates from producer retries and order kept per partition. */
export function createIdempotentProducer(kafka: Kafka): Producer {
  return kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
}
