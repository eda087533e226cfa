import * as net from 'node:net';

export type LinkState = 'connecting' | 'up' | 'down' | 'stopped';

export interface ReconnectingSocketOptions {
  readonly host: string;
  readonly port: number;
  readonly keepaliveMs: number;
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number };
  /** Wires the new socket's data to a fresh parser and logs in; resolves with the banner once events flow. */
  handshake(socket: net.Socket): Promise<string>;
  /** One keepalive round trip; a rejection drops the link. */
  keepalive(): Promise<unknown>;
  /** After each close, before `onDown` (e.g. fail the commands still waiting for a reply). */
  onClosed?(): void;
  onUp(banner: string): void;
  onDown(reason: string): void;
  /** After `onUp`: re-read the PBX state (list actions). */
  afterUp(): Promise<void>;
}

/**
 * The TCP part shared by the PBX links: connect, handshake, keepalive, back-pressure pause, and reconnect with
 * exponential backoff and full jitter. What is said on the socket belongs to the protocol client using it.
 */
export class ReconnectingSocket {
  state: LinkState = 'down';
  banner = '';
  lastError = '';
  /** Reconnects scheduled since start (each attempt after a close counts once). */
  reconnectAttempts = 0;
  private socket: net.Socket | null = null;
  private attempt = 0;
  private keepalive: NodeJS.Timeout | null = null;
  private retry: NodeJS.Timeout | null = null;
  private isPaused = false;

  constructor(private readonly o: ReconnectingSocketOptions) {}

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

  // Back-pressure from the publishing pipeline. While the socket is paused, replies cannot be read: timeouts wait
  // and keepalives skip rather than kill a healthy link.
  pause(): void { this.isPaused = true; this.socket?.pause(); }
  resume(): void { this.isPaused = false; this.socket?.resume(); }

  /** The open socket, or an error naming the link as down. */
  writable(what: string): net.Socket {
    const socket = this.socket;
    if (socket === null || socket.destroyed) throw new Error(`${what} is down`);
    return socket;
  }

  /** Drops the current connection (a reconnect follows), remembering why. */
  drop(reason: string): void {
    this.lastError = reason;
    this.socket?.destroy();
  }

  /** A reply timer that waits while back-pressure holds the socket paused. */
  replyTimer(socket: net.Socket, ms: number, expire: () => void): { clear(): void } {
    let timer: NodeJS.Timeout;
    const check = (): void => {
      if (this.isPaused && !socket.destroyed) timer = setTimeout(check, ms);
      else expire();
    };
    timer = setTimeout(check, ms);
    return { clear: () => clearTimeout(timer) };
  }

  private async connect(): Promise<void> {
    const socket = net.connect({ host: this.o.host, port: this.o.port });
    this.socket = socket;
    socket.setNoDelay(true);
    socket.once('close', () => this.closed(socket));
    socket.on('error', (e) => { this.lastError = e.message; });
    try {
      this.banner = await this.o.handshake(socket);
      this.attempt = 0;
      this.state = 'up';
      this.startKeepalive();
      this.o.onUp(this.banner);
      await this.o.afterUp();
    } catch (e) {
      this.lastError = (e as Error).message;
      socket.destroy();
    }
  }

  private closed(socket: net.Socket): void {
    if (socket !== this.socket) return;
    this.stopKeepalive();
    this.o.onClosed?.();
    const wasUp = this.state === 'up';
    if (this.state === 'stopped') return;
    this.state = 'down';
    if (wasUp || this.attempt === 0) this.o.onDown(this.lastError || 'connection closed by the PBX');
    const { initialMs, maxMs } = this.o.backoff ?? { initialMs: 500, maxMs: 30_000 };
    const ceiling = Math.min(maxMs, initialMs * 2 ** this.attempt++);
    this.reconnectAttempts++;
    this.retry = setTimeout(() => { this.state = 'connecting'; void this.connect(); }, ceiling / 2 + Math.random() * (ceiling / 2));
  }

  private startKeepalive(): void {
    this.keepalive = setInterval(() => {
      if (this.isPaused) return;
      this.o.keepalive().catch((e: Error) => this.drop(`keepalive: ${e.message}`));
    }, this.o.keepaliveMs);
  }

  private stopKeepalive(): void {
    if (this.keepalive) clearInterval(this.keepalive);
    this.keepalive = null;
  }
}

/** The link-facing surface of a protocol client built on a ReconnectingSocket. */
export abstract class ReconnectingClient {
  protected abstract readonly link: ReconnectingSocket;

  get state(): LinkState { return this.link.state; }
  get lastError(): string { return this.link.lastError; }
  get reconnectAttempts(): number { return this.link.reconnectAttempts; }

  start(): void { this.link.start(); }
  stop(): Promise<void> { return this.link.stop(); }
  pause(): void { this.link.pause(); }
  resume(): void { this.link.resume(); }
}

export function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(message)), ms);
    p.then((v) => { clearTimeout(t); resolve(v); }, (e) => { clearTimeout(t); reject(e); });
  });
}
