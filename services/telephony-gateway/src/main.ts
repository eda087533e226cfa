import { grpcOptionsFor, grpcServiceName, PROTO_ROOT } from '@switchboard/contracts';
import { createKafka } from '@switchboard/eventsourcing';
import { runService, startStandardService } from '@switchboard/service-kit';
import type { GatewayPorts } from './api/telephony-gateway.grpc-controller';
import { loadServiceConfig } from './config';
import { startGateway } from './gateway-runtime';
import { telephonyGatewayModule } from './telephony-gateway.module';

runService('telephony-gateway', async () => {
  const config = loadServiceConfig(process.env);
  const { package: pkg, protoPath } = grpcOptionsFor('telephony-gateway');
  const ports: GatewayPorts = { pool: null, links: [], eslLinks: [] };
  const service = await startStandardService({
    config, module: telephonyGatewayModule(ports), auth: config.auth,
    protos: [{ package: pkg, protoPath, includeDirs: [PROTO_ROOT] }],
    healthServices: [grpcServiceName('telephony-gateway')],
  });
  const log = (level: 'info' | 'warn', message: string, detail?: Record<string, unknown>) => service.logger[level](detail ?? {}, message);
  const gateway = await startGateway({ pool: service.pool, kafka: createKafka('telephony-gateway', config.kafkaBrokers), settings: config.gateway, log, metrics: service.metrics });
  ports.pool = service.pool;
  ports.links = gateway.links;
  ports.eslLinks = gateway.eslLinks;
  ports.leases = () => gateway.leases.statuses();
  return { ...service, stop: async () => { await gateway.stop(); await service.stop(); } };
});
