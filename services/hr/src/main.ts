import { grpcOptionsFor, grpcServiceName, PROTO_ROOT } from '@switchboard/contracts';
import { runService, startStandardService } from '@switchboard/service-kit';
import { loadServiceConfig } from './config';
import { HrModule } from './hr.module';

runService('hr', () => {
  const config = loadServiceConfig(process.env);
  const { package: pkg, protoPath } = grpcOptionsFor('hr');
  return startStandardService({
    config, module: HrModule, auth: config.auth,
    protos: [{ package: pkg, protoPath, includeDirs: [PROTO_ROOT] }],
    healthServices: [grpcServiceName('hr')],
  });
});
