import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { Kafka, logLevel, Partitioners, Producer, type ICustomPartitioner, type KafkaConfig, type ProducerBatch, type ProducerConfig, type RecordMetadata } from 'kafkajs';

/** What the outbox relay needs of a producer: a kafkajs Producer, or one running in a worker thread. */
export type BatchProducer = Pick<Producer, 'connect' | 'disconnect' | 'sendBatch'>;

/** The settings each Kafka client was made with (createKafka), so a worker thread can make the same client. */
const configs = new WeakMap<Kafka, KafkaConfig>();

export function createKafka(clientId: string, brokers: string[], options: Pick<KafkaConfig, 'logLevel'> = {}): Kafka {
  const config: KafkaConfig = { clientId, brokers, logLevel: logLevel.WARN, retry: { initialRetryTime: 200, retries: 8 }, ...options };
  const kafka = new Kafka(config);
  configs.set(kafka, config);
  return kafka;
}

/** The settings of a client made by createKafka; undefined for any other. */
export function kafkaConfigOf(kafka: Kafka): KafkaConfig | undefined {
  return configs.get(kafka);
}

const IDEMPOTENT: ProducerConfig = { idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false };

/** acks=all, idempotent, one request in flight: no duplicates from producer retries and order kept per partition. */
export function createIdempotentProducer(kafka: Kafka): Producer {
  return kafka.producer({ ...IDEMPOTENT, createPartitioner: CachedDefaultPartitioner });
}

/**
 * kafkajs's default partitioner (Java-compatible murmur2 of the key), with each key's partition remembered, so every
 * record goes to the partition the default would choose. The default hashes every record's key anew, with a `Long`
 * object per 4 bytes of key, and filters the partition list per record: a relay batch carries hundreds of records of
 * few keys (a PBX link's raw frames share one), and that was a visible share of the producer's CPU (BENCHMARKS.md).
 */
export const CachedDefaultPartitioner: ICustomPartitioner = () => {
  const partitioner = Partitioners.DefaultPartitioner();
  const byCount = new Map<number, Map<string, number>>(); // partition count → key → partition
  return (args) => {
    const { message, partitionMetadata } = args;
    if ((message.partition !== null && message.partition !== undefined) || typeof message.key !== 'string') return partitioner(args);
    let cache = byCount.get(partitionMetadata.length);
    if (cache === undefined) byCount.set(partitionMetadata.length, (cache = new Map()));
    const known = cache.get(message.key);
    if (known !== undefined) return known;
    const partition = partitioner(args);
    if (cache.size >= 100_000) cache.clear(); // bounded: keys are call ids too, unbounded over days
    cache.set(message.key, partition);
    return partition;
  };
};

/**
 * The same idempotent producer, run in a worker thread: kafkajs encodes every record and every header into buffers
 * of its own (the largest cost of a high-rate relay, BENCHMARKS.md), and that work, its garbage and the broker's
 * round trips leave the caller's thread. A batch crosses as one buffer of values plus keys and headers; errors come
 * back with kafkajs's `type`, `retriable` and nested causes, so callers classify them as before. A worker that dies
 * fails its calls in flight and is replaced (a new producer id) on the next call.
 */
export function createWorkerIdempotentProducer(config: KafkaConfig): BatchProducer {
  return new WorkerProducer(config, IDEMPOTENT);
}

interface Pending { resolve: (v: unknown) => void; reject: (e: Error) => void }
type Call = { op: 'connect' } | { op: 'disconnect' } | { op: 'sendBatch'; batch: PortableBatch };
export interface PortableBatch {
  acks?: number; timeout?: number;
  topics: { topic: string; keys: (string | null)[]; headers: (Record<string, string> | undefined)[]; lengths: number[]; values: Uint8Array; partitions: (number | undefined)[] }[];
}

class WorkerProducer implements BatchProducer {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private connected = false;

  constructor(private readonly config: KafkaConfig, private readonly producerConfig: ProducerConfig) {}

  async connect(): Promise<void> {
    this.connected = true;
    await this.call({ op: 'connect' });
  }

  async disconnect(): Promise<void> {
    this.connected = false;
    const worker = this.worker;
    if (worker === null) return;
    await this.call({ op: 'disconnect' }).catch(() => undefined);
    this.worker = null;
    await worker.terminate();
  }

  async sendBatch(batch: ProducerBatch): Promise<RecordMetadata[]> {
    if (this.worker === null && this.connected) await this.call({ op: 'connect' }); // the worker died: a fresh producer
    return (await this.call({ op: 'sendBatch', batch: portableBatch(batch) })) as RecordMetadata[];
  }

  private call(c: Call): Promise<unknown> {
    const worker = this.worker ?? this.spawn();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, ...c });
    });
  }

  private spawn(): Worker {
    // This module is the worker's code too (see the end of the file); TypeScript sources need the loader the services use.
    // (Otherwise the worker inherits this thread's options, loader included.)
    const needsLoader = __filename.endsWith('.ts') && !process.execArgv.some((a) => a.includes('@swc-node/register'));
    const worker = new Worker(__filename, {
      ...(needsLoader ? { execArgv: ['-r', require.resolve('@swc-node/register')] } : {}),
      workerData: { [WORKER_ROLE]: true, config: this.config, producerConfig: this.producerConfig },
    });
    worker.on('message', (m: { id: number; result?: unknown; error?: PortableError }) => {
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (m.error === undefined) p?.resolve(m.result);
      else p?.reject(revivedError(m.error));
    });
    const fail = (e: Error) => {
      if (this.worker === worker) this.worker = null;
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`Kafka producer worker exited (code ${code})`)));
    this.worker = worker;
    return worker;
  }
}

/** Values as one buffer (one copy across threads instead of one object per record). */
export function portableBatch(b: ProducerBatch): PortableBatch {
  return {
    acks: b.acks, timeout: b.timeout,
    topics: (b.topicMessages ?? []).map(({ topic, messages }) => {
      const values = messages.map((m) => (m.value === null ? Buffer.alloc(0) : Buffer.isBuffer(m.value) ? m.value : Buffer.from(m.value)));
      return {
        topic,
        keys: messages.map((m) => (m.key === null || m.key === undefined ? null : m.key.toString())),
        headers: messages.map((m) => m.headers as Record<string, string> | undefined),
        partitions: messages.map((m) => m.partition),
        lengths: values.map((v, i) => (messages[i].value === null ? -1 : v.length)),
        values: Buffer.concat(values),
      };
    }),
  };
}

/** A kafkajs error as plain data: what callers read of it (name, message, type, retriable, nested causes). */
export interface PortableError { name: string; message: string; type?: string; code?: number; retriable?: boolean; cause?: PortableError; originalError?: PortableError; errors?: PortableError[] }

export function portableError(e: unknown, depth = 0): PortableError {
  const err = (e ?? {}) as { name?: unknown; message?: unknown; type?: unknown; code?: unknown; retriable?: unknown; cause?: unknown; originalError?: unknown; errors?: unknown };
  const nested = (x: unknown) => (x !== null && typeof x === 'object' && depth < 5 ? portableError(x, depth + 1) : undefined);
  return {
    name: typeof err.name === 'string' ? err.name : 'Error', message: typeof err.message === 'string' ? err.message : String(e),
    ...(typeof err.type === 'string' ? { type: err.type } : {}), ...(typeof err.code === 'number' ? { code: err.code } : {}),
    ...(typeof err.retriable === 'boolean' ? { retriable: err.retriable } : {}),
    ...(nested(err.cause) ? { cause: nested(err.cause) } : {}), ...(nested(err.originalError) ? { originalError: nested(err.originalError) } : {}),
    ...(Array.isArray(err.errors) && depth < 5 ? { errors: err.errors.map((x) => portableError(x, depth + 1)) } : {}),
  };
}

export function revivedError(p: PortableError): Error {
  const e = new Error(p.message) as Error & Record<string, unknown>;
  e.name = p.name;
  for (const key of ['type', 'code', 'retriable'] as const) if (p[key] !== undefined) e[key] = p[key];
  if (p.cause) e.cause = revivedError(p.cause);
  if (p.originalError) e.originalError = revivedError(p.originalError);
  if (p.errors) e.errors = p.errors.map(revivedError);
  return e;
}

/** The records of one topic of a portable batch; the values are views of the one buffer that crossed. */
export function recordsOf(t: PortableBatch['topics'][number]): { key: string | null; value: Buffer | null; headers?: Record<string, string>; partition?: number }[] {
  const values = Buffer.from(t.values.buffer, t.values.byteOffset, t.values.byteLength);
  let at = 0;
  return t.lengths.map((length, i) => {
    const value = length < 0 ? null : values.subarray(at, at + length);
    at += Math.max(0, length);
    return { key: t.keys[i], value, headers: t.headers[i], partition: t.partitions[i] };
  });
}

const WORKER_ROLE = 'switchboardKafkaProducerWorker';

/** Inside the worker: one kafkajs producer, driven by the calls posted to it, answered in order of completion. */
function serveProducerCalls(): void {
  const { config, producerConfig } = workerData as { config: KafkaConfig; producerConfig: ProducerConfig };
  const producer = new Kafka(config).producer({ ...producerConfig, createPartitioner: CachedDefaultPartitioner }); // a function: not cloneable across threads
  const run = (m: Call): Promise<unknown> => {
    if (m.op === 'connect') return producer.connect();
    if (m.op === 'disconnect') return producer.disconnect();
    const b = m.batch;
    return producer.sendBatch({ acks: b.acks, timeout: b.timeout, topicMessages: b.topics.map((t) => ({ topic: t.topic, messages: recordsOf(t) })) });
  };
  parentPort!.on('message', (m: Call & { id: number }) => {
    run(m).then((result) => parentPort!.postMessage({ id: m.id, result }), (e: unknown) => parentPort!.postMessage({ id: m.id, error: portableError(e) }));
  });
}

if (!isMainThread && (workerData as Record<string, unknown> | null)?.[WORKER_ROLE] === true) serveProducerCalls();
