// Fault-injection worker: runs the reporting projections (a rebuild from offset 0 of the given topics) until killed.
import { createIdempotentProducer, createKafka } from '@switchboard/eventsourcing';
import { Pool } from 'pg';
import { startProjections } from '../../src/projections/projection-host';

async function main(): Promise<void> {
  const env = (name: string) => process.env[name] ?? (() => { throw new Error(`${name} is required`); })();
  const pool = new Pool({ connectionString: env('DATABASE_URL'), max: 3 });
  const kafka = createKafka('reporting-rebuild-worker', env('KAFKA_BROKERS').split(','));
  const producer = createIdempotentProducer(kafka);
  await producer.connect();
  await startProjections({
    kafka, pool, deadLetterProducer: producer, chunkSize: Number(env('CHUNK_SIZE')),
    topics: { call: [env('CALL_TOPIC')], agent: [env('AGENT_TOPIC')] }, logger: { info: () => undefined },
  });
}

main().catch((e: unknown) => {
  process.stderr.write(`${String(e)}\n`);
  process.exit(1);
});
