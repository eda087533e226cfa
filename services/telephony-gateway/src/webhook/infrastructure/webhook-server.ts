import { createHmac, timingSafeEqual } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FieldError } from '@switchboard/contracts';
import { parseWebhookEvent, type EnvelopeScope } from '../domain/webhook-event';
import type { WebhookConfig } from './webhook-settings';
import type { WebhookStore } from './webhook-store';

export const WEBHOOK_PATH = '/v1/telephony-events';
export const MAX_BODY_BYTES = 1024 * 1024;
export const SIGNATURE_HEADER = 'x-switchboard-signature';

type Log = (level: 'info' | 'warn', message: string, detail?: Record<string, unknown>) => void;

const sameSecret = (a: string, b: string): boolean => {
  const [x, y] = [Buffer.from(a), Buffer.from(b)];
  return x.length === y.length && timingSafeEqual(x, y);
};

/** `Authorization: Bearer <secret>`, or `X-Switchboard-Signature: sha256=<hex HMAC-SHA256 of the raw body>`. */
export function authorised(req: http.IncomingMessage, body: Buffer, secret: string): boolean {
  const bearer = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
  if (bearer !== undefined && sameSecret(bearer, secret)) return true;
  const signature = req.headers[SIGNATURE_HEADER];
  const expected = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
  return typeof signature === 'string' && sameSecret(signature.toLowerCase(), expected);
}

/**
 * Webhook adapter: POST one canonical-shaped event as JSON. 202 only after the event is committed (outbox);
 * 400 with field errors, 401, 413 over 1 MB, 503 when the database is unavailable (the client retries, same id).
 */
export class WebhookServer {
  private readonly server = http.createServer((req, res) => void this.handle(req, res));
  accepted = 0;
  rejected = 0;

  constructor(private readonly config: WebhookConfig, private readonly store: WebhookStore, private readonly scope: EnvelopeScope, private readonly log?: Log) {}

  async listen(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.config.port, this.config.host, () => resolve());
    });
    return this.port;
  }

  get port(): number { return (this.server.address() as AddressInfo).port; }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (req.url?.split('?')[0] !== WEBHOOK_PATH) return this.reply(res, 404, { errors: [{ path: '(url)', message: `POST ${WEBHOOK_PATH}` }] });
    if (req.method !== 'POST') return this.reply(res, 405, { errors: [{ path: '(method)', message: 'only POST' }] });
    if (Number(req.headers['content-length'] ?? 0) > MAX_BODY_BYTES) return this.tooLarge(req, res);
    const body = await readBody(req);
    if (body === 'too-large') return this.tooLarge(req, res);
    if (body === 'aborted') return void res.destroy();
    if (!authorised(req, body, this.config.secret)) return this.reply(res, 401, { errors: [{ path: '(auth)', message: 'bearer token or signature required' }] });
    const parsed = parseJson(body);
    if ('errors' in parsed) return this.reply(res, 400, parsed);
    const result = parseWebhookEvent(parsed.value, this.scope);
    if ('errors' in result) return this.reply(res, 400, result);
    try {
      const stored = await this.store.store(result.event, body, Date.now());
      this.accepted++;
      this.reply(res, 202, stored);
    } catch (e) {
      this.log?.('warn', 'webhook event not stored', { error: (e as Error).message });
      this.reply(res, 503, { errors: [{ path: '(server)', message: 'not stored; retry with the same id' }] });
    }
  }

  private tooLarge(req: http.IncomingMessage, res: http.ServerResponse): void {
    res.setHeader('Connection', 'close');
    this.reply(res, 413, { errors: [{ path: '(body)', message: `larger than ${MAX_BODY_BYTES} bytes` }] });
    req.resume();
  }

  private reply(res: http.ServerResponse, status: number, body: object): void {
    if (status >= 400) this.rejected++;
    res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
  }
}

function readBody(req: http.IncomingMessage): Promise<Buffer | 'too-large' | 'aborted'> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) return void parts.push(chunk);
      req.off('data', onData);
      resolve('too-large');
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(parts)));
    req.once('error', () => resolve('aborted'));
  });
}

function parseJson(body: Buffer): { value: unknown } | { errors: FieldError[] } {
  try {
    return { value: JSON.parse(body.toString('utf8')) as unknown };
  } catch (e) {
    return { errors: [{ path: '(root)', message: `invalid JSON: ${(e as Error).message}` }] };
  }
}
