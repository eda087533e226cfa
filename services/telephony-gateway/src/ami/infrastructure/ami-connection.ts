import { createHash } from 'node:crypto';
import * as net from 'node:net';
import { headerOf, type AmiFrame, type AmiParsed } from '../domain/ami-frame';
import { AmiFrameParser } from '../domain/ami-frame-parser';

export interface AmiConnectionOptions {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly secret: string;
  readonly keepaliveMs: number;
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number };
  /** Everything received, in order: banner, frames, parse errors. */
  onReceived(item: AmiParsed, receivedAtMs: number): void;
  onUp(banner: string): void;
  onDown(reason: string): void;
}

export type LinkState = 'connecting' | 'up' | 'down' | 'stopped';
type Action = [string, string][];

/**
 * AMI client: banner, MD5-challenge login, events on, keepalive Ping, resync through list actions after each
 * (re)connect, reconnect with exponential backoff and full jitter. Frames go to `onReceived`; nothing is interpreted here.
 */
export class AmiConnection {
  state: LinkState = 'down';
  banner = '';
  lastError = '';
  private socket: net.Socket | null = null;
  private pending = new Map<string, (frame: AmiFrame) => void>();
  private bannerWaiter: ((banner: string) => void) | null = null;
  private actionSeq = 0;
  private attempt = 0;
  private keepalive: NodeJS.Timeout | null = null;
  private retry: NodeJS.Timeout | null = null;

  constructor(private readonly o: AmiConnectionOptions) {}

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

  // Back-pressure from the publishing pipeline. While the socket is paused, responses cannot be read: timeouts wait
  // and keepalives skip rather than kill a healthy link.
  private paused = false;
  pause(): void { this.paused = true; this.socket?.pause(); }
  resume(): void { this.paused = false; this.socket?.resume(); }

  /** Current queue members, paused states and channels; list items arrive through `onReceived`. */
  async resync(): Promise<void> {
    for (const action of ['QueueStatus', 'CoreShowChannels', 'Status']) await this.send([['Action', action]]);
  }

  send(action: Action, timeoutMs = 10_000): Promise<AmiFrame> {
    const socket = this.socket;
    if (socket === null || socket.destroyed) return Promise.reject(new Error('AMI link is down'));
    const id = `sb-${++this.actionSeq}`;
    return new Promise((resolve, reject) => {
      const expire = () => {
        if (this.paused && !socket.destroyed) return void (timer = setTimeout(expire, timeoutMs));
        this.pending.delete(id);
        reject(new Error(`${action[0][1]}: no response in ${timeoutMs} ms`));
      };
      let timer = setTimeout(expire, timeoutMs);
      this.pending.set(id, (frame) => { clearTimeout(timer); resolve(frame); });
      socket.write(`${[...action, ['ActionID', id]].map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`);
    });
  }

  private async connect(): Promise<void> {
    const socket = net.connect({ host: this.o.host, port: this.o.port });
    this.socket = socket;
    const parser = new AmiFrameParser();
    const banner = new Promise<string>((resolve) => (this.bannerWaiter = resolve));
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => { for (const item of parser.push(chunk)) this.received(item); });
    socket.once('close', () => this.closed(socket));
    socket.on('error', (e) => { this.lastError = e.message; });
    try {
      this.banner = await withTimeout(banner, 10_000, 'no AMI banner');
      await this.login();
      await this.send([['Action', 'Events'], ['EventMask', 'on']]);
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

  private async login(): Promise<void> {
    const challenge = await this.send([['Action', 'Challenge'], ['AuthType', 'MD5']]);
    const nonce = headerOf(challenge, 'Challenge');
    const reply = nonce === undefined
      ? await this.send([['Action', 'Login'], ['Username', this.o.username], ['Secret', this.o.secret]])
      : await this.send([['Action', 'Login'], ['AuthType', 'MD5'], ['Username', this.o.username], ['Key', createHash('md5').update(nonce + this.o.secret).digest('hex')]]);
    if (headerOf(reply, 'Response') !== 'Success') throw new Error(`AMI login failed: ${headerOf(reply, 'Message') ?? 'no message'}`);
  }

  private received(item: AmiParsed): void {
    const now = Date.now();
    if (item.kind === 'banner') this.bannerWaiter?.(item.text);
    if (item.kind === 'frame' && headerOf(item, 'Response') !== undefined) {
      const id = headerOf(item, 'ActionID');
      const waiter = id === undefined ? undefined : this.pending.get(id);
      if (waiter !== undefined && id !== undefined) { this.pending.delete(id); waiter(item); }
    }
    this.o.onReceived(item, now);
  }

  private closed(socket: net.Socket): void {
    if (socket !== this.socket) return;
    this.stopKeepalive();
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
      this.send([['Action', 'Ping']], this.o.keepaliveMs).catch((e: Error) => { this.lastError = `keepalive: ${e.message}`; this.socket?.destroy(); });
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
