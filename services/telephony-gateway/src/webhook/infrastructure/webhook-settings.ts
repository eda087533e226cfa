import { ConfigError, type EnvReader } from '@switchboard/config';

/** HTTP endpoint for canonical events from other CTIs. The secret comes from the environment, never from the repo. */
export interface WebhookConfig {
  readonly pbxLinkId: string;
  readonly host: string;
  readonly port: number;
  /** Bearer token, and key of the `X-Switchboard-Signature: sha256=<hex HMAC of the body>` alternative. */
  readonly secret: string;
}

/** Enabled when `WEBHOOK_PORT` is set. */
export function webhookSettings(env: EnvReader): WebhookConfig | null {
  const port = env.get('WEBHOOK_PORT').asPortNumber();
  if (port === undefined) return null;
  const secret = env.get('WEBHOOK_SECRET').required().asString();
  if (Buffer.byteLength(secret) < 16) throw new ConfigError('configuration error: "WEBHOOK_SECRET" must be at least 16 bytes (value hidden)');
  return {
    pbxLinkId: env.get('WEBHOOK_PBX_LINK_ID').default('webhook-1').asString(),
    host: env.get('WEBHOOK_HOST').default('127.0.0.1').asString(),
    port,
    secret,
  };
}
