import { grpcOptionsFor, grpcServiceName, PROTO_ROOT } from '@switchboard/contracts';
import { runService, startStandardService } from '@switchboard/service-kit';
import { loadServiceConfig } from './config';
import { TrainingModule } from './training.module';

runService('training', () => {
  const config = loadServiceConfig(process.env);
  const { package: pkg, protoPath } = grpcOptionsFor('training');
  return startStandardService({
    config, module: TrainingModule, auth: config.auth,
    protos: [{ package: pkg, protoPath, includeDirs: [PROTO_ROOT] }],
    healthServices: [grpcServiceName('training')],
  });
});
