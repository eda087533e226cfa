import { createHash } from 'node:crypto';
import type * as net from 'node:net';
import { headerOf, type AmiFrame, type AmiParsed } from '../domain/ami-frame';
import { AmiFrameParser } from '../domain/ami-frame-parser';
import { ReconnectingClient, ReconnectingSocket, withTimeout } from './reconnecting-socket';

export type { LinkState } from './reconnecting-socket';

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

type Action = [string, string][];

/** ActionIDs of the list actions sent to resync start with this, so their list items can be told from live events. */
export const RESYNC_ACTION_PREFIX = 'sb-resync-';
/** What a resync sends, in order: a Ping (its reply carries the PBX clock), then list actions ending in `…Complete`. */
export const RESYNC_ACTIONS = ['Ping', 'QueueStatus', 'CoreShowChannels', 'Status'] as const;

/**
 * AMI client: banner, MD5-challenge login, events on, keepalive Ping, resync through list actions after each
 * (re)connect; the TCP side (reconnect, backoff, pause) is the shared ReconnectingSocket. Frames go to `onReceived`;
 * nothing is interpreted here.
 */
export class AmiConnection extends ReconnectingClient {
  protected readonly link: ReconnectingSocket;
  private pending = new Map<string, (frame: AmiFrame) => void>();
  private bannerWaiter: ((banner: string) => void) | null = null;
  private actionSeq = 0;

  constructor(private readonly o: AmiConnectionOptions) {
    super();
    this.link = new ReconnectingSocket({
      host: o.host, port: o.port, keepaliveMs: o.keepaliveMs, backoff: o.backoff,
      handshake: (socket) => this.handshake(socket),
      keepalive: () => this.send([['Action', 'Ping']], o.keepaliveMs),
      onUp: o.onUp, onDown: o.onDown,
      afterUp: () => this.resync(),
    });
  }

  get banner(): string { return this.link.banner; }

  /** Current queue members, waiting callers and channels; list items arrive through `onReceived` (see AmiResync). */
  async resync(): Promise<void> {
    for (const action of RESYNC_ACTIONS) await this.send([['Action', action]], 10_000, 'resync-');
  }

  send(action: Action, timeoutMs = 10_000, idTag = ''): Promise<AmiFrame> {
    let socket: net.Socket;
    try {
      socket = this.link.writable('AMI link');
    } catch (e) {
      return Promise.reject(e);
    }
    const id = `sb-${idTag}${++this.actionSeq}`;
    return new Promise((resolve, reject) => {
      const timer = this.link.replyTimer(socket, timeoutMs, () => {
        this.pending.delete(id);
        reject(new Error(`${action[0][1]}: no response in ${timeoutMs} ms`));
      });
      this.pending.set(id, (frame) => { timer.clear(); resolve(frame); });
      socket.write(`${[...action, ['ActionID', id]].map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`);
    });
  }

  private async handshake(socket: net.Socket): Promise<string> {
    const parser = new AmiFrameParser();
    const banner = new Promise<string>((resolve) => (this.bannerWaiter = resolve));
    socket.on('data', (chunk: Buffer) => { for (const item of parser.push(chunk)) this.received(item); });
    const text = await withTimeout(banner, 10_000, 'no AMI banner');
    await this.login();
    await this.send([['Action', 'Events'], ['EventMask', 'on']]);
    return text;
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
}
