import { commonServiceConfig, ConfigError, loadConfig } from './index';

const secret = 'x'.repeat(32);
const valid = { KAFKA_BROKERS: '127.0.0.1:9092,127.0.0.1:9094', DATABASE_URL: 'postgres://u@127.0.0.1:5432/db', AUTH_JWT_SECRET: secret };

describe('loadConfig', () => {
  it('parses typed settings with defaults', () => {
    const cfg = loadConfig(valid, (env) => commonServiceConfig(env, 'routing', { grpcPort: 50052, metricsPort: 9462 }));
    expect(cfg).toEqual({
      serviceName: 'routing', kafkaBrokers: ['127.0.0.1:9092', '127.0.0.1:9094'], databaseUrl: 'postgres://u@127.0.0.1:5432/db',
      grpcPort: 50052, metricsPort: 9462, logLevel: 'info', auth: { key: { kind: 'hs256', secret }, issuer: undefined, audience: undefined }, otlpTracesEndpoint: undefined,
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

  it('requires exactly one way to verify gRPC tokens', () => {
    const { AUTH_JWT_SECRET: _s, ...noAuth } = valid;
    expect(() => loadConfig(noAuth, (env) => commonServiceConfig(env, 'qa', { grpcPort: 1, metricsPort: 2 }))).toThrow(/set exactly one of AUTH_JWT_SECRET.*\(none is set\)/);
    expect(() => loadConfig({ ...valid, AUTH_JWKS_FILE: '/x' }, (env) => commonServiceConfig(env, 'qa', { grpcPort: 1, metricsPort: 2 }))).toThrow(/\(2 are set\)/);
  });

  it('names an unreadable key file', () => {
    const { AUTH_JWT_SECRET: _s, ...noAuth } = valid;
    expect(() => loadConfig({ ...noAuth, AUTH_JWKS_FILE: '/nonexistent/jwks.json' }, (env) => commonServiceConfig(env, 'qa', { grpcPort: 1, metricsPort: 2 })))
      .toThrow('configuration error: "AUTH_JWKS_FILE" names a file that cannot be read: /nonexistent/jwks.json (ENOENT)');
  });

  it('rejects an unknown log level', () => {
    expect(() => loadConfig({ ...valid, LOG_LEVEL: 'loud' }, (env) => commonServiceConfig(env, 'qa', { grpcPort: 1, metricsPort: 2 })))
      .toThrow(/"LOG_LEVEL" should be one of \[fatal, error, warn, info, debug, trace\]/);
  });
});
