import { Pool } from 'pg';
import { grpcOptionsFor, grpcServiceName, PROTO_ROOT, Topics } from '@switchboard/contracts';
import { createIdempotentProducer, createKafka } from '@switchboard/eventsourcing';
import { runService, startStandardService } from '@switchboard/service-kit';
import { loadServiceConfig } from './config';
import { routingModule } from './routing.module';
import { composeRouting } from './routing.composition';
import { startRoutingRuntime } from './routing.runtime';
import { ensureTopics, routingTopicSpecs } from './routing-topics';

runService('routing', async () => {
  const config = loadServiceConfig(process.env);
  const pool = new Pool({ connectionString: config.databaseUrl, max: 5 });
  const deps = await composeRouting(pool, { tenant: config.tenant, site: config.site, clock: () => Date.now(), clockSpeed: config.clockSpeed, snapshots: config.snapshots });
  const kafka = createKafka('routing', config.kafkaBrokers);
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, routingTopicSpecs());
  await admin.disconnect();
  const producer = createIdempotentProducer(kafka);
  await producer.connect();
  const { package: pkg, protoPath } = grpcOptionsFor('routing');
  const service = await startStandardService({
    config, module: routingModule(deps), auth: config.auth,
    protos: [{ package: pkg, protoPath, includeDirs: [PROTO_ROOT] }],
    healthServices: [grpcServiceName('routing')],
  });
  const runtime = await startRoutingRuntime({
    pool, kafka, producer, router: deps.router, configuration: deps.configuration, floorAlerts: deps.floorAlerts, groupIdPrefix: 'routing', clockTickMs: config.clockTickMs,
    topics: { telephony: [Topics.telephonyCall.name, Topics.telephonyAgent.name], certification: Topics.trainingCertification.name },
    onError: (e) => service.logger.error({ err: e }, 'routing runtime error'),
  });
  return {
    logger: service.logger,
    stop: async () => {
      await service.stop();
      await runtime.stop();
      await producer.disconnect();
      await pool.end();
    },
  };
});
