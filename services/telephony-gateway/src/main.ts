import { runService, startStandardService } from '@switchboard/service-kit';
import { loadServiceConfig } from './config';
import { TelephonyGatewayModule } from './telephony-gateway.module';

runService('telephony-gateway', () => startStandardService({ config: loadServiceConfig(process.env), module: TelephonyGatewayModule, protos: [] }));
