import * as net from 'node:net';
import { apiResponse, commandReply, disconnectNotice, EslCommandParser } from './esl-message';

export interface EslServerOptions {
  readonly host: string;
  readonly port: number;
  readonly password: string;
}

export interface EslBackend {
  agentListing(): string;
  /** `callcenter_config tier list` (queue memberships); absent = answered `-ERR`, like a mod_callcenter without it. */
  tierListing?(): string;
  /**
   * External routing: `uuid_transfer <session uuid> <extension>` moves a waiting caller to the agent at that
   * extension (the agent rings); absent, the command is unknown.
   */
  transfer?(sessionUuid: string, extension: string): { ok: true } | { ok: false; reason: string };
}

interface Session {
  readonly socket: net.Socket;
  readonly parser: EslCommandParser;
  authenticated: boolean;
  subscribed: boolean;
}

/** Inbound-mode FreeSWITCH event socket (LF framing): auth, `event plain …`, `noevents`, `api` (agent list, uuid_transfer), `exit`. */
export class EslServer {
  private readonly server = net.createServer((socket) => this.accept(socket));
  private readonly sessions = new Set<Session>();

  constructor(
    private readonly options: EslServerOptions,
    private readonly backend: EslBackend,
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

  listenerCount(): number {
    let count = 0;
    for (const s of this.sessions) if (s.subscribed) count++;
    return count;
  }

  maxBufferedBytes(): number {
    let max = 0;
    for (const s of this.sessions) max = Math.max(max, s.socket.writableLength);
    return max;
  }

  broadcast(frames: string): void {
    if (frames.length === 0) return;
    for (const s of this.sessions) if (s.subscribed && !s.socket.destroyed) s.socket.write(frames);
  }

  private accept(socket: net.Socket): void {
    socket.setNoDelay(true);
    socket.setEncoding('utf8');
    const session: Session = { socket, parser: new EslCommandParser(), authenticated: false, subscribed: false };
    this.sessions.add(session);
    socket.on('close', () => this.sessions.delete(session));
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk: string) => {
      for (const command of session.parser.push(chunk)) this.handle(session, command);
    });
    socket.write('Content-Type: auth/request\n\n');
  }

  private handle(session: Session, command: string): void {
    const [verb = '', ...args] = command.split(/\s+/);
    const { socket } = session;
    if (!session.authenticated) {
      if (verb !== 'auth') return void socket.write(commandReply('-ERR command not found'));
      if (args.join(' ') !== this.options.password) {
        socket.write(commandReply('-ERR invalid'));
        socket.end(disconnectNotice());
        return;
      }
      session.authenticated = true;
      return void socket.write(commandReply('+OK accepted'));
    }
    switch (verb) {
      case 'event':
        return this.subscribe(session, args);
      case 'noevents':
        session.subscribed = false;
        return void socket.write(commandReply('+OK no longer listening for events'));
      case 'api':
        return void socket.write(apiResponse(this.api(args.join(' '))));
      case 'exit':
        socket.write(commandReply('+OK bye'));
        socket.end(disconnectNotice());
        return;
      default:
        return void socket.write(commandReply('-ERR command not found'));
    }
  }

  /** Only mod_callcenter events are produced, so any subscription covering CUSTOM or ALL receives them. */
  private subscribe(session: Session, args: string[]): void {
    const [format = '', ...names] = args;
    if (format !== 'plain') return void session.socket.write(commandReply(`-ERR only plain events are simulated`));
    session.subscribed = names.some((n) => n === 'ALL' || n === 'CUSTOM' || n === 'callcenter::info');
    session.socket.write(commandReply('+OK event listener enabled plain'));
  }

  private api(command: string): string {
    if (command === 'callcenter_config agent list') return this.backend.agentListing();
    if (command === 'callcenter_config tier list' && this.backend.tierListing !== undefined) return this.backend.tierListing();
    const [name = '', ...args] = command.split(/\s+/);
    if (name === 'uuid_transfer' && this.backend.transfer !== undefined) return this.transfer(args);
    return `-ERR ${name} Command not found!\n`;
  }

  /** `uuid_transfer <uuid> [-bleg|-both] <dest-exten> [<dialplan> [<context>]]`, answered `+OK` or `-ERR <reason>`. */
  private transfer(args: string[]): string {
    const [uuid, ...rest] = args;
    const destination = rest.filter((a) => !a.startsWith('-'))[0];
    if (uuid === undefined || destination === undefined) return '-ERR Usage: uuid_transfer <uuid> [-bleg|-both] <dest-exten> [<dialplan>] [<context>]\n';
    const result = this.backend.transfer!(uuid, destination);
    return result.ok ? '+OK\n' : `-ERR ${result.reason}\n`;
  }
}
