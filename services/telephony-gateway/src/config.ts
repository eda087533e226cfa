import { commonServiceConfig, ConfigError, Env, EnvReader, loadConfig } from '@switchboard/config';
import { DEFAULT_DROP_WATCH, type DropWatchConfig } from './call-tracking/domain/frequent-drops.decider';
import { eslLinkSettings, type EslLinkConfig } from './esl/infrastructure/esl-settings';
import type { RecordingsConfig } from './call-tracking/infrastructure/recording-inspector';
import { webhookSettings, type WebhookConfig } from './webhook/infrastructure/webhook-settings';

/** One Asterisk AMI link. The secret comes from the environment (a Kubernetes Secret), never from the repo. */
export interface AmiLinkConfig {
  readonly pbxLinkId: string;
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly secret: string;
  readonly keepaliveMs: number;
  readonly ringCycleMs: number;
  readonly defaultDialedNumber: string;
  /** Dial-plan context where agent extensions live; routing decisions `Redirect` callers there. Default `agents`. */
  readonly redirectContext?: string;
}

export interface GatewaySettings {
  readonly tenant: string;
  readonly site: string;
  /** HMAC-SHA256 key for caller-number hashes on public events (>= 32 bytes). */
  readonly callerHashKey: string;
  readonly ami: AmiLinkConfig | null;
  /** Carry out routing's assignments on the PBX (off when the PBX routes by itself). Default true. */
  readonly executeRoutingDecisions?: boolean;
  /** Most assignment actions (Redirect / uuid_transfer) in flight at once; one call's always in order. Default 16. */
  readonly assignmentConcurrency?: number;
  /**
   * The relay's Kafka producer in a worker thread (default): up to ~1.9x the records/s, but ~5-15 ms more at p99 on a
   * 2-core host (BENCHMARKS.md). false keeps it on the main thread, for the lowest frame-to-Kafka latency.
   */
  readonly relayProducerInWorker?: boolean;
  /** FreeSWITCH event-socket link (mod_callcenter); absent or null = off. */
  readonly esl?: EslLinkConfig | null;
  /** HTTP endpoint for canonical events from other CTIs; absent or null = off. */
  readonly webhook?: WebhookConfig | null;
  /** PbxFrequentDropsDetected: this many system-released calls within the window (PBX time) on one link. */
  readonly dropWatch?: DropWatchConfig;
  /** Call recordings read from the PBX's recordings directory (CallRecordingAvailable, ADR 0009); absent or null = off. */
  readonly recordings?: RecordingsConfig | null;
  /** How often a standby replica asks for a PBX link's lease (LINK_LEASE_RETRY_SECONDS, ADR 0010). Default 5 s. */
  readonly linkLeaseRetryMs?: number;
  /** Raw frames of a batch stored as packed outbox rows (ADR 0012). Default true; false only for benchmark comparisons. */
  readonly packRawFrames?: boolean;
  /** Items per pipeline transaction and the back-pressure threshold (AMI links; defaults 500 and 20,000). */
  readonly pipeline?: { readonly maxBatch?: number; readonly highWater?: number };
}

/** Enabled when `RECORDINGS_DIR` (the PBX's recordings directory, mounted read-only) is set. */
export function recordingsSettings(env: EnvReader): RecordingsConfig | null {
  const directory = env.get('RECORDINGS_DIR').asString();
  if (directory === undefined) return null;
  const storageBaseUri = env.get('RECORDINGS_BASE_URI').default(`file://${directory}`).asString();
  if (!/^[a-z][a-z0-9+.-]*:\/\/.+$/.test(storageBaseUri)) throw new ConfigError('configuration error: "RECORDINGS_BASE_URI" must be a URI such as s3://bucket/prefix');
  return {
    directory,
    pbxDirectory: env.get('RECORDINGS_PBX_DIR').default(directory).asString(),
    storageBaseUri,
    attempts: env.get('RECORDINGS_READ_ATTEMPTS').default('6').asIntPositive(),
    retryInitialMs: env.get('RECORDINGS_RETRY_INITIAL_MS').default('250').asIntPositive(),
  };
}

export function gatewaySettings(env: EnvReader): GatewaySettings {
  const host = env.get('AMI_HOST').asString();
  const callerHashKey = env.get('CALLER_HASH_KEY').required().asString();
  if (Buffer.byteLength(callerHashKey) < 32) throw new ConfigError('configuration error: "CALLER_HASH_KEY" must be at least 32 bytes (value hidden)');
  return {
    tenant: env.get('TENANT_ID').default('default').asString(),
    site: env.get('SITE_ID').default('main').asString(),
    callerHashKey,
    executeRoutingDecisions: env.get('EXECUTE_ROUTING_DECISIONS').default('true').asBool(),
    assignmentConcurrency: env.get('ASSIGNMENT_CONCURRENCY').default('16').asIntPositive(),
    relayProducerInWorker: env.get('RELAY_PRODUCER_IN_WORKER').default('true').asBool(),
    esl: eslLinkSettings(env),
    webhook: webhookSettings(env),
    recordings: recordingsSettings(env),
    linkLeaseRetryMs: env.get('LINK_LEASE_RETRY_SECONDS').default('5').asFloatPositive() * 1000,
    dropWatch: {
      windowMs: env.get('DROP_ALERT_WINDOW_SECONDS').default(String(DEFAULT_DROP_WATCH.windowMs / 1000)).asIntPositive() * 1000,
      threshold: env.get('DROP_ALERT_THRESHOLD').default(String(DEFAULT_DROP_WATCH.threshold)).asIntPositive(),
    },
    ami: host === undefined ? null : {
      pbxLinkId: env.get('PBX_LINK_ID').default('asterisk-1').asString(),
      host,
      port: env.get('AMI_PORT').default('5038').asPortNumber(),
      username: env.get('AMI_USERNAME').required().asString(),
      secret: env.get('AMI_SECRET').required().asString(),
      keepaliveMs: env.get('AMI_KEEPALIVE_SECONDS').default('15').asIntPositive() * 1000,
      ringCycleMs: env.get('RING_CYCLE_SECONDS').default('6').asFloatPositive() * 1000,
      defaultDialedNumber: env.get('DEFAULT_DIALED_NUMBER').default('0').asString(),
      redirectContext: env.get('AMI_REDIRECT_CONTEXT').default('agents').asString(),
    },
  };
}

export const loadServiceConfig = (env: Env) =>
  loadConfig(env, (e) => ({
    ...commonServiceConfig(e, 'telephony-gateway', { grpcPort: 50051, metricsPort: 9461 }),
    gateway: gatewaySettings(e),
  }));
