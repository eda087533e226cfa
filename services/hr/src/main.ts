import { runService, startStandardService } from '@switchboard/service-kit';
import { loadServiceConfig } from './config';
import { HrModule } from './hr.module';

runService('hr', () => startStandardService({ config: loadServiceConfig(process.env), module: HrModule, protos: [] }));
