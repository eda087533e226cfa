import * as net from 'node:net';
import { headerOf, type EslFrame, type EslParsed } from '../domain/esl-frame';
import { EslFrameParser } from '../domain/esl-frame-parser';

export const AGENT_LIST_COMMAND = 'api callcenter_config agent list';
export const EVENT_SUBSCRIPTION = 'event plain CUSTOM callcenter::info';
const BANNER = 'FreeSWITCH event socket';

export interface EslConnectionOptions {
  readonly host: string;
  readonly port: number;
  readonly password: string;
  readonly keepaliveMs: number;
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number };
  /** Everything received, in order; `answered` is the command a reply or api response belongs to. */
  onReceived(item: EslParsed, receivedAtMs: number, answered: string | undefined): void;
  onUp(banner: string): void;
  onDown(reason: string): void;
}

interface Waiter { readonly command: string; resolve(frame: EslFrame): void; reject(e: Error): void }

const REPLY_TYPES = new Set(['command/reply', 'api/response']);

/**
 * Inbound event-socket client: `auth`, `event plain CUSTOM callcenter::info`, resync through the agent list after
 * each (re)connect, keepalive `api status`, reconnect with exponential backoff and full jitter. Replies come back in
 * command order, between events, so waiters are a FIFO.
 */
export class EslConnection {
  state: 'connecting' | 'up' | 'down' | 'stopped' = 'down';
  lastError = '';
  readonly banner = BANNER;
  private socket: net.Socket | null = null;
  private waiters: Waiter[] = [];
  private authRequested: (() => void) | null = null;
  private attempt = 0;
  private keepalive: NodeJS.Timeout | null = null;
  private retry: NodeJS.Timeout | null = null;

  constructor(private readonly o: EslConnectionOptions) {}

  start(): void {
    this.state = 'connecting';
    void this.connect();
  }

  async stop(): Promise<void> {
    this.state = 'stopped';
    if (this.retry) clearTimeout(this.retry);
    this.stopKeepalive();
    this.socket?.destroy();
  }

  // While the pipeline holds the socket paused, replies cannot be read: timeouts wait rather than kill the link.
  private paused = false;
  pause(): void { this.paused = true; this.socket?.pause(); }
  resume(): void { this.paused = false; this.socket?.resume(); }

  /** Agent statuses and states; FreeSWITCH has no list of waiting members in this form, so calls resume from events. */
  async resync(): Promise<void> {
    await this.command(AGENT_LIST_COMMAND);
  }

  command(command: string, timeoutMs = 10_000): Promise<EslFrame> {
    const socket = this.socket;
    if (socket === null || socket.destroyed) return Promise.reject(new Error('event socket is down'));
    return new Promise((resolve, reject) => {
      // Replies are matched by order: a lost one would shift every later reply, so the connection is restarted.
      const expire = (): void => {
        if (this.paused && !socket.destroyed) return void (timer = setTimeout(expire, timeoutMs));
        reject(new Error(`${command.split(' ')[0]}: no reply in ${timeoutMs} ms`));
        socket.destroy();
      };
      let timer = setTimeout(expire, timeoutMs);
      this.waiters.push({ command, resolve: (f) => { clearTimeout(timer); resolve(f); }, reject: (e) => { clearTimeout(timer); reject(e); } });
      socket.write(`${command}\n\n`);
    });
  }

  private async connect(): Promise<void> {
    const socket = net.connect({ host: this.o.host, port: this.o.port });
    this.socket = socket;
    const parser = new EslFrameParser();
    const authRequest = new Promise<void>((resolve) => (this.authRequested = resolve));
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => { for (const item of parser.push(chunk)) this.received(item); });
    socket.once('close', () => this.closed(socket));
    socket.on('error', (e) => { this.lastError = e.message; });
    try {
      await withTimeout(authRequest, 10_000, 'no auth/request from the event socket');
      await this.expectOk(`auth ${this.o.password}`, 'event socket auth failed');
      await this.expectOk(EVENT_SUBSCRIPTION, 'event subscription refused');
      this.attempt = 0;
      this.state = 'up';
      this.startKeepalive();
      this.o.onUp(this.banner);
      await this.resync();
    } catch (e) {
      this.lastError = (e as Error).message;
      socket.destroy();
    }
  }

  private async expectOk(command: string, failure: string): Promise<void> {
    const reply = await this.command(command);
    const text = headerOf(reply, 'Reply-Text') ?? '';
    if (!text.startsWith('+OK')) throw new Error(`${failure}: ${text || 'no Reply-Text'}`);
  }

  private received(item: EslParsed): void {
    const now = Date.now();
    let answered: string | undefined;
    if (item.kind === 'frame' && item.contentType === 'auth/request') this.authRequested?.();
    if (item.kind === 'frame' && REPLY_TYPES.has(item.contentType)) {
      const waiter = this.waiters.shift();
      answered = waiter?.command.startsWith('auth ') ? 'auth' : waiter?.command;
      waiter?.resolve(item);
    }
    if (item.kind === 'frame' && /disconnect-notice|rude-rejection/.test(item.contentType)) this.lastError = `${item.contentType}: ${item.body.split('\n')[0]}`;
    this.o.onReceived(item, now, answered);
  }

  private closed(socket: net.Socket): void {
    if (socket !== this.socket) return;
    this.stopKeepalive();
    this.waiters.splice(0).forEach((w) => w.reject(new Error('event socket closed')));
    const wasUp = this.state === 'up';
    if (this.state === 'stopped') return;
    this.state = 'down';
    if (wasUp || this.attempt === 0) this.o.onDown(this.lastError || 'connection closed by the PBX');
    const { initialMs, maxMs } = this.o.backoff ?? { initialMs: 500, maxMs: 30_000 };
    const ceiling = Math.min(maxMs, initialMs * 2 ** this.attempt++);
    this.retry = setTimeout(() => { this.state = 'connecting'; void this.connect(); }, ceiling / 2 + Math.random() * (ceiling / 2));
  }

  private startKeepalive(): void {
    this.keepalive = setInterval(() => {
      if (this.paused) return;
      this.command('api status', this.o.keepaliveMs).catch((e: Error) => { this.lastError = `keepalive: ${e.message}`; this.socket?.destroy(); });
    }, this.o.keepaliveMs);
  }

  private stopKeepalive(): void {
    if (this.keepalive) clearInterval(this.keepalive);
    this.keepalive = null;
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(message)), ms);
    p.then((v) => { clearTimeout(t); resolve(v); }, (e) => { clearTimeout(t); reject(e); });
  });
}
