import { commonServiceConfig, Env, loadConfig } from '@switchboard/config';

export const loadServiceConfig = (env: Env) =>
  loadConfig(env, (e) => commonServiceConfig(e, 'telephony-gateway', { grpcPort: 50051, metricsPort: 9461 }));
