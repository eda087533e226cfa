import { grpcOptionsFor, grpcServiceName, PROTO_ROOT } from '@switchboard/contracts';
import { runService, startStandardService } from '@switchboard/service-kit';
import { loadServiceConfig } from './config';
import { QaModule } from './qa.module';

runService('qa', () => {
  const config = loadServiceConfig(process.env);
  const { package: pkg, protoPath } = grpcOptionsFor('qa');
  return startStandardService({
    config, module: QaModule, auth: config.auth,
    protos: [{ package: pkg, protoPath, includeDirs: [PROTO_ROOT] }],
    healthServices: [grpcServiceName('qa')],
  });
});
