import { runService, startStandardService } from '@switchboard/service-kit';
import { loadServiceConfig } from './config';
import { TrainingModule } from './training.module';

runService('training', () => startStandardService({ config: loadServiceConfig(process.env), module: TrainingModule, protos: [] }));
