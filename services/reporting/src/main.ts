import { runService, startStandardService } from '@switchboard/service-kit';
import { loadServiceConfig } from './config';
import { ReportingModule } from './reporting.module';

runService('reporting', () => startStandardService({ config: loadServiceConfig(process.env), module: ReportingModule, protos: [] }));
