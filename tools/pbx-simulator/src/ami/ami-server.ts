import { createHash } from 'node:crypto';
import * as net from 'node:net';
import { AmiActionParser, headerValue, renderAmiMessage, type AmiHeaders } from './ami-message';

export interface AmiServerOptions {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly secret: string;
  /** AMI_VERSION in the banner; Asterisk 22 announces 11.0.0. */
  readonly version: string;
  /** Asterisk sleeps about 1 s before answering a failed login. */
  readonly failedLoginDelayMs: number;
}

/** What the server needs from the simulation: resync lists, routing actions and the simulated clock. */
export interface AmiBackend {
  nowMs(): number;
  uptimeSeconds(): number;
  queueStatusItems(actionId: string): string[];
  coreShowChannelItems(actionId: string): string[];
  statusItems(actionId: string): string[];
  /** External routing: ring `agentId` for the call on `channel`. */
  routeCall(channel: string, agentId: string): { ok: true } | { ok: false; reason: string };
}

interface Session {
  readonly socket: net.Socket;
  readonly parser: AmiActionParser;
  authenticated: boolean;
  eventsOn: boolean;
  challenge: string | null;
}

type Reply = [string, string][];

/** Server side of the Asterisk Manager Interface (TCP, CRLF framing), enough for a call-center gateway. */
export class AmiServer {
  private readonly server = net.createServer((socket) => this.accept(socket));
  private readonly sessions = new Set<Session>();
  private challengeCounter = 0;

  constructor(
    private readonly options: AmiServerOptions,
    private readonly backend: AmiBackend,
  ) {}

  async listen(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host, () => resolve());
    });
    return (this.server.address() as net.AddressInfo).port;
  }

  async close(): Promise<void> {
    for (const session of this.sessions) session.socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Sessions that are logged in with events on. */
  listenerCount(): number {
    let count = 0;
    for (const s of this.sessions) if (s.authenticated && s.eventsOn) count++;
    return count;
  }

  /** Largest amount of data still queued to one client, for back-pressure at maximum speed. */
  maxBufferedBytes(): number {
    let max = 0;
    for (const s of this.sessions) max = Math.max(max, s.socket.writableLength);
    return max;
  }

  broadcast(frames: string): void {
    if (frames.length === 0) return;
    for (const s of this.sessions) if (s.authenticated && s.eventsOn && !s.socket.destroyed) s.socket.write(frames);
  }

  private accept(socket: net.Socket): void {
    socket.setNoDelay(true);
    socket.setEncoding('utf8');
    const session: Session = { socket, parser: new AmiActionParser(), authenticated: false, eventsOn: true, challenge: null };
    this.sessions.add(session);
    socket.on('close', () => this.sessions.delete(session));
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk: string) => {
      for (const action of session.parser.push(chunk)) this.handle(session, action);
    });
    // One line, no blank line after it (reference §3.7).
    socket.write(`Asterisk Call Manager/${this.options.version}\r\n`);
  }

  private send(session: Session, actionId: string | undefined, reply: Reply): void {
    const headers: [string, string][] = [reply[0]];
    if (actionId !== undefined) headers.push(['ActionID', actionId]);
    headers.push(...reply.slice(1));
    session.socket.write(renderAmiMessage(headers));
  }

  private handle(session: Session, action: AmiHeaders): void {
    const name = (headerValue(action, 'Action') ?? '').toLowerCase();
    const actionId = headerValue(action, 'ActionID');
    if (name === '') return this.send(session, actionId, [['Response', 'Error'], ['Message', 'Missing action in request']]);
    if (name === 'login') return this.login(session, action, actionId);
    if (name === 'challenge') return this.challenge(session, action, actionId);
    if (!session.authenticated) return this.send(session, actionId, [['Response', 'Error'], ['Message', 'Permission denied']]);
    switch (name) {
      case 'ping':
        return this.send(session, actionId, [['Response', 'Success'], ['Ping', 'Pong'], ['Timestamp', (this.backend.nowMs() / 1000).toFixed(6)]]);
      case 'events':
        session.eventsOn = (headerValue(action, 'EventMask') ?? 'on').toLowerCase() !== 'off';
        return this.send(session, actionId, [['Response', 'Success'], ['Events', session.eventsOn ? 'On' : 'Off']]);
      case 'logoff':
        this.send(session, actionId, [['Response', 'Goodbye'], ['Message', 'Thanks for all the fish.']]);
        session.socket.end();
        return;
      case 'queuestatus':
        return this.list(session, actionId ?? '', 'Queue status will follow', 'QueueStatusComplete', this.backend.queueStatusItems(actionId ?? ''), false);
      case 'coreshowchannels':
        return this.list(session, actionId ?? '', 'Channels will follow', 'CoreShowChannelsComplete', this.backend.coreShowChannelItems(actionId ?? ''), false);
      case 'status':
        return this.list(session, actionId ?? '', 'Channel status will follow', 'StatusComplete', this.backend.statusItems(actionId ?? ''), true);
      case 'redirect':
        return this.route(session, actionId, headerValue(action, 'Channel'), headerValue(action, 'Exten'), 'Redirect successful');
      case 'bridge':
        return this.route(session, actionId, headerValue(action, 'Channel1'), agentOfInterface(headerValue(action, 'Channel2')), 'Channels have been bridged');
      default:
        return this.send(session, actionId, [['Response', 'Error'], ['Message', 'Invalid/unknown command']]);
    }
  }

  private login(session: Session, action: AmiHeaders, actionId: string | undefined): void {
    const username = headerValue(action, 'Username') ?? '';
    const isMd5 = (headerValue(action, 'AuthType') ?? '').toLowerCase() === 'md5';
    const expectedKey = session.challenge === null ? null : createHash('md5').update(session.challenge + this.options.secret).digest('hex');
    const valid =
      username === this.options.username &&
      (isMd5 ? expectedKey !== null && headerValue(action, 'Key') === expectedKey : headerValue(action, 'Secret') === this.options.secret);
    if (!valid) {
      setTimeout(() => {
        this.send(session, actionId, [['Response', 'Error'], ['Message', 'Authentication failed']]);
        session.socket.end();
      }, this.options.failedLoginDelayMs);
      return;
    }
    session.authenticated = true;
    session.eventsOn = (headerValue(action, 'Events') ?? 'on').toLowerCase() !== 'off';
    this.send(session, actionId, [['Response', 'Success'], ['Message', 'Authentication accepted']]);
    if (session.eventsOn) {
      const uptime = String(this.backend.uptimeSeconds());
      session.socket.write(renderAmiMessage([['Event', 'FullyBooted'], ['Privilege', 'system,all'], ['Uptime', uptime], ['LastReload', uptime], ['Status', 'Fully Booted']]));
    }
  }

  private challenge(session: Session, action: AmiHeaders, actionId: string | undefined): void {
    if ((headerValue(action, 'AuthType') ?? '').toLowerCase() !== 'md5') {
      return this.send(session, actionId, [['Response', 'Error'], ['Message', 'Must specify AuthType']]);
    }
    session.challenge = String(100_000_000 + ((++this.challengeCounter * 7_919_423) % 900_000_000));
    this.send(session, actionId, [['Response', 'Success'], ['Challenge', session.challenge]]);
  }

  /** The acknowledgement goes first, then the items, then the `…Complete` event; only to the asking session. */
  private list(session: Session, actionId: string, message: string, completeEvent: string, items: string[], withItems: boolean): void {
    this.send(session, actionId, [['Response', 'Success'], ['EventList', 'start'], ['Message', message]]);
    const complete: [string, string][] = [['Event', completeEvent], ['ActionID', actionId], ['EventList', 'Complete'], ['ListItems', String(items.length)]];
    if (withItems) complete.push(['Items', String(items.length)]);
    session.socket.write(items.join('') + renderAmiMessage(complete));
  }

  private route(session: Session, actionId: string | undefined, channel: string | undefined, agentId: string | undefined, success: string): void {
    if (!channel) return this.send(session, actionId, [['Response', 'Error'], ['Message', 'Channel not specified']]);
    if (!agentId) return this.send(session, actionId, [['Response', 'Error'], ['Message', 'Exten not specified']]);
    const result = this.backend.routeCall(channel, agentId);
    if (result.ok) return this.send(session, actionId, [['Response', 'Success'], ['Message', success]]);
    return this.send(session, actionId, [['Response', 'Error'], ['Message', result.reason]]);
  }
}

/** `PJSIP/1002` (member interface) or a bare `1002` → agent id `1002`. */
function agentOfInterface(value: string | undefined): string | undefined {
  if (!value) return undefined;
  return value.slice(value.indexOf('/') + 1);
}
