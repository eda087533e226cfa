import { runService, startStandardService } from '@switchboard/service-kit';
import { loadServiceConfig } from './config';
import { QaModule } from './qa.module';

runService('qa', () => startStandardService({ config: loadServiceConfig(process.env), module: QaModule, protos: [] }));
