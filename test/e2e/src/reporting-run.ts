import { createIdempotentProducer, deadLetterTopic } from '@switchboard/eventsourcing';
import { DEFAULT_KPI_PARAMETERS, ReportReader, startProjections } from '@switchboard/reporting';
import { createTopics, freshDatabase, testKafka, uniqueName } from '@switchboard/testing';
import type { Kafka, Producer } from 'kafkajs';
import { Pool } from 'pg';
import type { CanonicalRecord, GatewayDay } from './gateway-day';

/**
 * How the gateway's records reach reporting. `in-order`: as published. `shuffled-late`: calls (and agents) interleaved
 * in a seeded random order — each key's own order kept, as Kafka keeps it per partition — about a quarter of the keys
 * held back until the projections have caught up with the rest, and some records delivered twice.
 */
export type Delivery = 'in-order' | 'shuffled-late';

export interface ReportingRun {
  readonly reader: ReportReader;
  /** The reporting read models, for diagnosis. */
  readonly pool: Pool;
  close(): Promise<void>;
}

type Plan = { early: CanonicalRecord[]; late: CanonicalRecord[] };

/** mulberry32: a tiny seeded generator, so a failing delivery order can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random interleaving of per-key queues: pick a random key, emit its next record. */
function interleave(groups: CanonicalRecord[][], random: () => number): CanonicalRecord[] {
  const live = groups.map((g) => [...g]).filter((g) => g.length > 0);
  const out: CanonicalRecord[] = [];
  while (live.length > 0) {
    const i = Math.floor(random() * live.length);
    out.push(live[i].shift()!);
    if (live[i].length === 0) live.splice(i, 1);
  }
  return out;
}

export function deliveryPlan(records: readonly CanonicalRecord[], delivery: Delivery, seed: number): Plan {
  if (delivery === 'in-order') return { early: [...records], late: [] };
  const random = rng(seed * 7919 + records.length);
  const byKey = new Map<string, CanonicalRecord[]>();
  for (const r of records) byKey.set(r.key, [...(byKey.get(r.key) ?? []), r]);
  const groups = [...byKey.values()];
  const lateGroups = groups.filter(() => random() < 0.25);
  const early = interleave(groups.filter((g) => !lateGroups.includes(g)), random);
  const late = interleave(lateGroups, random);
  // Redelivery (a producer retry, a consumer replay): a few records again, after their originals.
  const again = [...early, ...late].filter(() => random() < 0.03);
  return { early, late: [...late, ...again] };
}

async function send(producer: Producer, topic: string, records: readonly CanonicalRecord[]): Promise<void> {
  for (let i = 0; i < records.length; i += 2000) {
    await producer.send({ topic, acks: -1, messages: records.slice(i, i + 2000).map((r) => ({ key: r.key, value: r.value })) });
  }
}

/** Records on `topics` not yet applied (each copy topic is read by exactly one projection, which stores its offsets). */
async function lag(kafka: Kafka, pool: Pool, topics: readonly string[]): Promise<number> {
  const { rows } = await pool.query<{ topic: string; partition: number; next_offset: string }>(
    `select topic, partition, next_offset from es_consumer_offsets where topic = any($1)`, [topics]);
  const stored = new Map(rows.map((r) => [`${r.topic}:${r.partition}`, Number(r.next_offset)]));
  const admin = kafka.admin();
  await admin.connect();
  try {
    let total = 0;
    for (const topic of topics) {
      for (const o of await admin.fetchTopicOffsets(topic)) total += Math.max(0, Number(o.high) - (stored.get(`${topic}:${o.partition}`) ?? 0));
    }
    return total;
  } finally {
    await admin.disconnect();
  }
}

/** Feeds the day's canonical records to fresh reporting projections (own topics, own database) and waits until caught up. */
export async function runReporting(day: GatewayDay, delivery: Delivery): Promise<ReportingRun> {
  const kafka = testKafka('e2e-reporting');
  const topics = { call: [uniqueName('e2e-call')], agent: [uniqueName('e2e-agent')] };
  const all = [...topics.call, ...topics.agent];
  const admin = kafka.admin();
  await admin.connect();
  await createTopics(admin, [...all, ...all.map(deadLetterTopic)], 3);
  await admin.disconnect();
  const producer = createIdempotentProducer(kafka);
  await producer.connect();
  const db = await freshDatabase('sb_e2e_rep');
  const pool = new Pool({ connectionString: db.url, max: 6 });
  const call = deliveryPlan(day.call, delivery, day.seed);
  const agent = deliveryPlan(day.agent, delivery, day.seed + 1);
  await send(producer, topics.call[0], call.early);
  await send(producer, topics.agent[0], agent.early);
  const host = await startProjections({ kafka, pool, deadLetterProducer: producer, topics, chunkSize: 1000, logger: { info: () => undefined } });
  await host.whenActive();
  await send(producer, topics.call[0], call.late);
  await send(producer, topics.agent[0], agent.late);
  const until = Date.now() + 30_000;
  while ((await lag(kafka, pool, all)) > 0) {
    if (Date.now() > until) throw new Error('reporting projections did not catch up within 30 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    pool,
    reader: new ReportReader(pool, { timeZone: 'UTC', parameters: DEFAULT_KPI_PARAMETERS }),
    close: async () => {
      await host.stop();
      await producer.disconnect();
      await pool.end();
      await db.drop();
    },
  };
}
