import { commonServiceConfig, Env, loadConfig } from '@switchboard/config';

export const loadServiceConfig = (env: Env) =>
  loadConfig(env, (e) => commonServiceConfig(e, 'reporting', { grpcPort: 50056, metricsPort: 9466 }));
