import { grpcOptionsFor, grpcServiceName, PROTO_ROOT } from '@switchboard/contracts';
import { runService, startStandardService } from '@switchboard/service-kit';
import { loadServiceConfig } from './config';
import { RoutingModule } from './routing.module';

runService('routing', () => {
  const config = loadServiceConfig(process.env);
  const { package: pkg, protoPath } = grpcOptionsFor('routing');
  return startStandardService({
    config, module: RoutingModule, auth: config.auth,
    protos: [{ package: pkg, protoPath, includeDirs: [PROTO_ROOT] }],
    healthServices: [grpcServiceName('routing')],
  });
});
