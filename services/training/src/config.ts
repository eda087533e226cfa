import { commonServiceConfig, Env, loadConfig } from '@switchboard/config';

export const loadServiceConfig = (env: Env) =>
  loadConfig(env, (e) => commonServiceConfig(e, 'training', { grpcPort: 50055, metricsPort: 9465 }));
