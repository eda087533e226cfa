import { commonServiceConfig, Env, loadConfig } from '@switchboard/config';

export const loadServiceConfig = (env: Env) =>
  loadConfig(env, (e) => commonServiceConfig(e, 'routing', { grpcPort: 50052, metricsPort: 9462 }));
