import { Pool } from 'pg';
import { grpcOptionsFor, grpcServiceName, PROTO_ROOT } from '@switchboard/contracts';
import { createIdempotentProducer, createKafka, OutboxRelay } from '@switchboard/eventsourcing';
import { runService, startStandardService } from '@switchboard/service-kit';
import { loadServiceConfig } from './config';
import { routingModule } from './routing.module';
import { composeRouting } from './routing.composition';
import { certificationConsumer } from './configuration/infrastructure/certification-events.kafka-consumer';

runService('routing', async () => {
  const config = loadServiceConfig(process.env);
  const pool = new Pool({ connectionString: config.databaseUrl, max: 5 });
  const deps = await composeRouting(pool, { tenant: config.tenant, site: config.site, clock: () => Date.now() });
  const kafka = createKafka('routing', config.kafkaBrokers);
  const producer = createIdempotentProducer(kafka);
  await producer.connect();
  const relay = new OutboxRelay({ pool, producer, name: 'routing' });
  await relay.start();
  const certifications = certificationConsumer({ kafka, pool, deadLetterProducer: producer, configuration: deps.configuration, groupId: 'routing.certifications' });
  await certifications.start();
  const clock = setInterval(() => void deps.router.apply({ type: 'TimeAdvanced', at: Date.now() }), config.clockTickMs);
  const { package: pkg, protoPath } = grpcOptionsFor('routing');
  const service = await startStandardService({
    config, module: routingModule(deps), auth: config.auth,
    protos: [{ package: pkg, protoPath, includeDirs: [PROTO_ROOT] }],
    healthServices: [grpcServiceName('routing')],
  });
  return {
    logger: service.logger,
    stop: async () => {
      clearInterval(clock);
      await service.stop();
      await certifications.stop();
      await relay.stop();
      await producer.disconnect();
      await pool.end();
    },
  };
});
