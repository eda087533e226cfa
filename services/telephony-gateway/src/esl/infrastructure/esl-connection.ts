import type * as net from 'node:net';
import { ReconnectingClient, ReconnectingSocket, withTimeout } from '../../ami/infrastructure/reconnecting-socket';
import { headerOf, type EslFrame, type EslParsed } from '../domain/esl-frame';
import { EslFrameParser } from '../domain/esl-frame-parser';

export const AGENT_LIST_COMMAND = 'api callcenter_config agent list';
/** Queue memberships (tiers), read after the agent list so each agent's status is known when its queues arrive. */
export const TIER_LIST_COMMAND = 'api callcenter_config tier list';
export const EVENT_SUBSCRIPTION = 'event plain CUSTOM callcenter::info';
/** With recordings watched: RECORD_STOP as well (record_session's Record-File-Path and variable_record_ms). */
export const EVENT_SUBSCRIPTION_WITH_RECORDINGS = 'event plain RECORD_STOP CUSTOM callcenter::info';
const BANNER = 'FreeSWITCH event socket';

export interface EslConnectionOptions {
  readonly host: string;
  readonly port: number;
  readonly password: string;
  readonly keepaliveMs: number;
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number };
  /** The `event plain …` command; default EVENT_SUBSCRIPTION. */
  readonly subscription?: string;
  /** Everything received, in order; `answered` is the command a reply or api response belongs to. */
  onReceived(item: EslParsed, receivedAtMs: number, answered: string | undefined): void;
  onUp(banner: string): void;
  onDown(reason: string): void;
}

interface Waiter { readonly command: string; resolve(frame: EslFrame): void; reject(e: Error): void }

const REPLY_TYPES = new Set(['command/reply', 'api/response']);

/**
 * Inbound event-socket client: `auth`, `event plain CUSTOM callcenter::info`, resync through the agent list after
 * each (re)connect, keepalive `api status`; the TCP side (reconnect, backoff, pause) is the shared ReconnectingSocket.
 * Replies come back in command order, between events, so waiters are a FIFO.
 */
export class EslConnection extends ReconnectingClient {
  readonly banner = BANNER;
  protected readonly link: ReconnectingSocket;
  private waiters: Waiter[] = [];
  private authRequested: (() => void) | null = null;

  constructor(private readonly o: EslConnectionOptions) {
    super();
    this.link = new ReconnectingSocket({
      host: o.host, port: o.port, keepaliveMs: o.keepaliveMs, backoff: o.backoff,
      handshake: (socket) => this.handshake(socket),
      keepalive: () => this.command('api status', o.keepaliveMs),
      onClosed: () => this.waiters.splice(0).forEach((w) => w.reject(new Error('event socket closed'))),
      onUp: o.onUp, onDown: o.onDown,
      afterUp: () => this.resync(),
    });
  }


  /** Agent statuses and states, then queue memberships; FreeSWITCH has no list of waiting members in this form, so calls resume from events. */
  async resync(): Promise<void> {
    await this.command(AGENT_LIST_COMMAND);
    await this.command(TIER_LIST_COMMAND);
  }

  /**
   * One `api …` command line (e.g. `api uuid_transfer <uuid> <extension> XML <context>`): resolves with the
   * api/response body, `+OK …` or `-ERR …`; rejects when the socket is down or no reply comes in time.
   */
  async api(command: string, timeoutMs?: number): Promise<string> {
    if (!/^api [^\r\n]+$/.test(command)) throw new Error(`api command: expected one line starting with "api ", got "${command.slice(0, 80)}"`);
    const reply = await this.command(command, timeoutMs);
    if (reply.contentType !== 'api/response') throw new Error(`api command: expected an api/response, got "${reply.contentType}": ${headerOf(reply, 'Reply-Text') ?? ''}`);
    return reply.body;
  }

  command(command: string, timeoutMs = 10_000): Promise<EslFrame> {
    let socket: net.Socket;
    try {
      socket = this.link.writable('event socket');
    } catch (e) {
      return Promise.reject(e);
    }
    return new Promise((resolve, reject) => {
      // Replies are matched by order: a lost one would shift every later reply, so the connection is restarted.
      const timer = this.link.replyTimer(socket, timeoutMs, () => {
        reject(new Error(`${command.split(' ')[0]}: no reply in ${timeoutMs} ms`));
        socket.destroy();
      });
      this.waiters.push({ command, resolve: (f) => { timer.clear(); resolve(f); }, reject: (e) => { timer.clear(); reject(e); } });
      socket.write(`${command}\n\n`);
    });
  }

  private async handshake(socket: net.Socket): Promise<string> {
    const parser = new EslFrameParser();
    const authRequest = new Promise<void>((resolve) => (this.authRequested = resolve));
    socket.on('data', (chunk: Buffer) => { for (const item of parser.push(chunk)) this.received(item); });
    await withTimeout(authRequest, 10_000, 'no auth/request from the event socket');
    await this.expectOk(`auth ${this.o.password}`, 'event socket auth failed');
    await this.expectOk(this.o.subscription ?? EVENT_SUBSCRIPTION, 'event subscription refused');
    return BANNER;
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
    if (item.kind === 'frame' && /disconnect-notice|rude-rejection/.test(item.contentType)) this.link.lastError = `${item.contentType}: ${item.body.split('\n')[0]}`;
    this.o.onReceived(item, now, answered);
  }
}
