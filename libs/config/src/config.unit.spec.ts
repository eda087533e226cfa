import { commonServiceConfig, ConfigError, loadConfig } from './index';

const valid = { KAFKA_BROKERS: '127.0.0.1:9092,127.0.0.1:9094', DATABASE_URL: 'postgres://u@127.0.0.1:5432/db' };

describe('loadConfig', () => {
  it('parses typed settings with defaults', () => {
    const cfg = loadConfig(valid, (env) => commonServiceConfig(env, 'routing', { grpcPort: 50052, metricsPort: 9462 }));
    expect(cfg).toEqual({
      serviceName: 'routing', kafkaBrokers: ['127.0.0.1:9092', '127.0.0.1:9094'], databaseUrl: 'postgres://u@127.0.0.1:5432/db',
      grpcPort: 50052, metricsPort: 9462, logLevel: 'info',
    });
    expect(Object.isFrozen(cfg)).toBe(true);
  });

  it('names a missing setting in one line', () => {
    expect(() => loadConfig({ DATABASE_URL: valid.DATABASE_URL }, (env) => commonServiceConfig(env, 'qa', { grpcPort: 1, metricsPort: 2 })))
      .toThrow(new ConfigError('configuration error: "KAFKA_BROKERS" is a required variable, but it was not set'));
  });

  it('names a malformed setting and what was expected', () => {
    const build = () => loadConfig({ ...valid, GRPC_PORT: 'eighty' }, (env) => commonServiceConfig(env, 'qa', { grpcPort: 1, metricsPort: 2 }));
    expect(build).toThrow(ConfigError);
    expect(build).toThrow(/^configuration error: "GRPC_PORT" should be a valid integer \(got 'eighty'\)$/);
  });

  it('never echoes a secret value', () => {
    const build = () => loadConfig({ PBX_SECRET: 'hunter2' }, (env) => env.get('PBX_SECRET').required().asIntPositive());
    expect(build).toThrow(/"PBX_SECRET" should be a valid integer \(value hidden\)$/);
  });

  it('rejects an unknown log level', () => {
    expect(() => loadConfig({ ...valid, LOG_LEVEL: 'loud' }, (env) => commonServiceConfig(env, 'qa', { grpcPort: 1, metricsPort: 2 })))
      .toThrow(/"LOG_LEVEL" should be one of \[fatal, error, warn, info, debug, trace\]/);
  });
});
