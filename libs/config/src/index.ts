import * as envVar from 'env-var';

export type Env = Record<string, string | undefined>;

/** A configuration problem: one line naming the setting and what was expected. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** env-var's reader over a plain record, typed so any variable name may be asked for. */
export interface EnvReader {
  get(name: string): envVar.IOptionalVariable;
}

/**
 * Reads and validates a service's configuration once, at start. `build` uses env-var's typed accessors
 * (`env.get('X').required().asPortNumber()`); any failure becomes a ConfigError naming the variable.
 */
export function loadConfig<T>(env: Env, build: (env: EnvReader) => T): T {
  try {
    return Object.freeze(build(envVar.from(env)));
  } catch (e) {
    if (e instanceof envVar.EnvVarError) throw new ConfigError(describe(e.message, env));
    throw e;
  }
}

const SECRET_NAME = /SECRET|PASSWORD|TOKEN|KEY/i;

function describe(message: string, env: Env): string {
  const text = message.replace(/^env-var:\s*/, '');
  const name = /"([^"]+)"/.exec(text)?.[1];
  const value = name === undefined ? undefined : env[name];
  const shown = value === undefined ? '' : SECRET_NAME.test(name!) ? ' (value hidden)' : ` (got '${value}')`;
  return `configuration error: ${text}${shown}`;
}

/** Settings every service shares: where Kafka and its database are, and which ports it listens on. */
export interface CommonServiceConfig {
  serviceName: string;
  kafkaBrokers: string[];
  databaseUrl: string;
  grpcPort: number;
  metricsPort: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
}

export function commonServiceConfig(env: EnvReader, serviceName: string, defaults: { grpcPort: number; metricsPort: number }): CommonServiceConfig {
  return {
    serviceName,
    kafkaBrokers: env.get('KAFKA_BROKERS').required().asArray(','),
    databaseUrl: env.get('DATABASE_URL').required().asUrlString(),
    grpcPort: env.get('GRPC_PORT').default(String(defaults.grpcPort)).asPortNumber(),
    metricsPort: env.get('METRICS_PORT').default(String(defaults.metricsPort)).asPortNumber(),
    logLevel: env.get('LOG_LEVEL').default('info').asEnum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']),
  };
}
