import { randomBytes } from 'node:crypto';
import { Topics } from '@switchboard/contracts';
import { startSimulator, type GroundTruthRecord, type Scenario } from '@switchboard/pbx-simulator';
import { ensureTopics, startGateway } from '@switchboard/telephony-gateway';
import { freshDatabase, testKafka, uniqueName } from '@switchboard/testing';
import type { Kafka } from 'kafkajs';
import { Pool } from 'pg';

/** One canonical record as the gateway published it: the Kafka key and the encoded envelope, byte for byte. */
export interface CanonicalRecord {
  readonly key: string;
  readonly value: Buffer;
}

/** A simulated day after the gateway: the simulator's ground truth and what the gateway put on the public topics. */
export interface GatewayDay {
  readonly seed: number;
  readonly tenant: string;
  readonly truth: readonly GroundTruthRecord[];
  readonly call: readonly CanonicalRecord[];
  readonly agent: readonly CanonicalRecord[];
}

const TOPICS = { call: Topics.telephonyCall.name, agent: Topics.telephonyAgent.name } as const;
type Offsets = Map<string, { start: number; end: number }>;

async function highWatermarks(kafka: Kafka): Promise<Map<string, number>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const out = new Map<string, number>();
    for (const topic of Object.values(TOPICS)) {
      for (const o of await admin.fetchTopicOffsets(topic)) out.set(`${topic}:${o.partition}`, Number(o.high));
    }
    return out;
  } finally {
    await admin.disconnect();
  }
}

/**
 * Reads exactly the records published between two watermarks (the registry topics are shared by every suite on the
 * broker) and keeps this tenant's, in partition order, so per-key order is the order the gateway published.
 */
async function readRange(kafka: Kafka, offsets: Offsets, tenant: string): Promise<{ call: CanonicalRecord[]; agent: CanonicalRecord[] }> {
  const out = { call: [] as CanonicalRecord[], agent: [] as CanonicalRecord[] };
  const pending = new Set([...offsets].filter(([, o]) => o.end > o.start).map(([k]) => k));
  if (pending.size === 0) return out;
  const consumer = kafka.consumer({ groupId: uniqueName('e2e-read') });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: Object.values(TOPICS), fromBeginning: false });
    let finish!: () => void;
    const finished = new Promise<void>((r) => (finish = r));
    await consumer.run({ eachMessage: async ({ topic, partition, message }) => {
      const range = offsets.get(`${topic}:${partition}`)!;
      const offset = Number(message.offset);
      if (offset < range.start || offset >= range.end) return;
      const envelope = JSON.parse(message.value!.toString()) as { tenant: string };
      if (envelope.tenant === tenant) (topic === TOPICS.call ? out.call : out.agent).push({ key: message.key!.toString(), value: message.value! });
      if (offset === range.end - 1) pending.delete(`${topic}:${partition}`);
      if (pending.size === 0) finish();
    } });
    for (const [k, o] of offsets) {
      const [topic, partition] = [k.slice(0, k.lastIndexOf(':')), Number(k.slice(k.lastIndexOf(':') + 1))];
      consumer.seek({ topic, partition, offset: String(o.start) });
    }
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`gateway records not all read: ${[...pending]}`)), 30_000).unref());
    await Promise.race([finished, timeout]);
    return out;
  } finally {
    await consumer.disconnect();
  }
}

/** Runs `scenario` at maximum speed through the AMI gateway into Kafka and returns ground truth plus canonical records. */
export async function runGatewayDay(scenario: Scenario, seed: number): Promise<GatewayDay> {
  const kafka = testKafka('e2e-gateway');
  await ensureTopics(kafka);
  const db = await freshDatabase('sb_e2e_gw');
  const pool = new Pool({ connectionString: db.url, max: 4 });
  const tenant = uniqueName('e2e').toLowerCase();
  const secret = randomBytes(12).toString('hex');
  const sim = await startSimulator({ scenario, seed, speed: 'max', amiPort: 0, amiSecret: secret, autoStart: false });
  try {
    const before = await highWatermarks(kafka);
    const gateway = await startGateway({
      pool, kafka, relayName: uniqueName('e2e-relay'),
      settings: { tenant, site: 'hq', callerHashKey: randomBytes(32).toString('hex'), ami: {
        pbxLinkId: uniqueName('pbx'), host: '127.0.0.1', port: sim.amiPort!, username: 'switchboard', secret, keepaliveMs: 5000,
        ringCycleMs: scenario.ringCycleSeconds * 1000, defaultDialedNumber: '4008001234',
      } },
    });
    try {
      while (gateway.links[0].status().state !== 'up' || sim.progress().amiClients === 0) await sleep(20);
      sim.start();
      await sim.done;
      const drainBy = Date.now() + 30_000;
      // Everything received is committed and the outbox relay has drained it to Kafka.
      while (gateway.links[0].status().backlog > 0 || (await pool.query('select count(*)::int as n from es_outbox')).rows[0].n > 0) {
        if (Date.now() > drainBy) throw new Error('gateway outbox not drained to Kafka within 30 s (a long transaction on the Postgres server holds the relay back?)');
        await sleep(100);
      }
    } finally {
      await gateway.stop();
    }
    const after = await highWatermarks(kafka);
    const offsets: Offsets = new Map([...after].map(([k, end]) => [k, { start: before.get(k) ?? 0, end }]));
    const records = await readRange(kafka, offsets, tenant);
    return { seed, tenant, truth: sim.groundTruth(), ...records };
  } finally {
    await sim.stop();
    await pool.end();
    await db.drop();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
