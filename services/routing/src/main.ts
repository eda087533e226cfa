import { runService, startStandardService } from '@switchboard/service-kit';
import { loadServiceConfig } from './config';
import { RoutingModule } from './routing.module';

runService('routing', () => startStandardService({ config: loadServiceConfig(process.env), module: RoutingModule, protos: [] }));
