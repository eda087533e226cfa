import { readFileSync } from 'node:fs';
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
  auth: AuthSettings;
  /** OTLP/HTTP endpoint for traces (e.g. http://otel-collector:4318/v1/traces); traces are not exported without it. */
  otlpTracesEndpoint?: string;
}

/** A JSON Web Key as read from a JWKS file (validated further by the verifier). */
export type JsonWebKey = { kty: string } & Record<string, unknown>;

/** How gRPC bearer tokens are verified (shape accepted by service-kit's AuthConfig). */
export interface AuthSettings {
  key: { kind: 'hs256'; secret: string } | { kind: 'public-key'; algorithm: 'RS256' | 'ES256'; spkiPem: string } | { kind: 'jwks'; jwks: { keys: JsonWebKey[] } };
  issuer?: string;
  audience?: string;
}

/** Exactly one of AUTH_JWT_SECRET, AUTH_JWT_PUBLIC_KEY_FILE (+ AUTH_JWT_ALGORITHM) or AUTH_JWKS_FILE. */
export function authSettings(env: EnvReader): AuthSettings {
  const secret = env.get('AUTH_JWT_SECRET').asString();
  const publicKeyFile = env.get('AUTH_JWT_PUBLIC_KEY_FILE').asString();
  const jwksFile = env.get('AUTH_JWKS_FILE').asString();
  const given = [secret, publicKeyFile, jwksFile].filter(Boolean).length;
  if (given !== 1) {
    throw new ConfigError('configuration error: set exactly one of AUTH_JWT_SECRET (HS256, >= 32 bytes), AUTH_JWT_PUBLIC_KEY_FILE or AUTH_JWKS_FILE' +
      (given ? ` (${given} are set)` : ' (none is set)'));
  }
  const issuer = env.get('AUTH_ISSUER').asString();
  const audience = env.get('AUTH_AUDIENCE').asString();
  const read = (name: string, file: string) => {
    try {
      return readFileSync(file, 'utf8');
    } catch (e) {
      throw new ConfigError(`configuration error: "${name}" names a file that cannot be read: ${file} (${(e as NodeJS.ErrnoException).code})`);
    }
  };
  const key: AuthSettings['key'] = secret
    ? { kind: 'hs256', secret }
    : publicKeyFile
      ? { kind: 'public-key', algorithm: env.get('AUTH_JWT_ALGORITHM').default('RS256').asEnum(['RS256', 'ES256']), spkiPem: read('AUTH_JWT_PUBLIC_KEY_FILE', publicKeyFile) }
      : { kind: 'jwks', jwks: parseJwks(read('AUTH_JWKS_FILE', jwksFile!)) };
  return { key, issuer, audience };
}

function parseJwks(text: string): { keys: JsonWebKey[] } {
  try {
    const v = JSON.parse(text) as { keys?: unknown };
    if (Array.isArray(v.keys) && v.keys.every((k) => typeof (k as JsonWebKey)?.kty === 'string')) return { keys: v.keys as JsonWebKey[] };
  } catch { /* reported below */ }
  throw new ConfigError('configuration error: "AUTH_JWKS_FILE" must contain a JSON Web Key Set ({"keys": [...]})');
}

export function commonServiceConfig(env: EnvReader, serviceName: string, defaults: { grpcPort: number; metricsPort: number }): CommonServiceConfig {
  return {
    serviceName,
    kafkaBrokers: env.get('KAFKA_BROKERS').required().asArray(','),
    databaseUrl: env.get('DATABASE_URL').required().asUrlString(),
    grpcPort: env.get('GRPC_PORT').default(String(defaults.grpcPort)).asPortNumber(),
    metricsPort: env.get('METRICS_PORT').default(String(defaults.metricsPort)).asPortNumber(),
    logLevel: env.get('LOG_LEVEL').default('info').asEnum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']),
    auth: authSettings(env),
    otlpTracesEndpoint: env.get('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT').asUrlString(),
  };
}
