import type { Pool } from 'pg';
import { WebhookServer } from './webhook-server';
import type { WebhookConfig } from './webhook-settings';
import { WebhookStore } from './webhook-store';

export interface WebhookDeps {
  readonly pool: Pool;
  readonly tenant: string;
  readonly site: string;
  readonly topicOverrides?: Readonly<Record<string, string>>;
  readonly log?: (level: 'info' | 'warn', message: string, detail?: Record<string, unknown>) => void;
}

/** Creates the webhook tables and listens; the relay already running drains what it commits. */
export async function startWebhook(config: WebhookConfig, deps: WebhookDeps): Promise<WebhookServer> {
  const scope = { tenant: deps.tenant, site: deps.site, service: 'telephony-gateway' };
  const store = await WebhookStore.open(deps.pool, { ...scope, pbxLinkId: config.pbxLinkId, topicOverrides: deps.topicOverrides });
  const server = new WebhookServer(config, store, scope, deps.log);
  const port = await server.listen();
  deps.log?.('info', 'webhook listening', { host: config.host, port });
  return server;
}
