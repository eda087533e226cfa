import { commonServiceConfig, Env, loadConfig } from '@switchboard/config';

export const loadServiceConfig = (env: Env) =>
  loadConfig(env, (e) => commonServiceConfig(e, 'qa', { grpcPort: 50053, metricsPort: 9463 }));
