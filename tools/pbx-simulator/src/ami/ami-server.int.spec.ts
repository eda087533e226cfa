import * as net from 'node:net';
import { simpleQueue, simpleScenario } from '../domain/test-scenarios';
import { startSimulator, type RunningSimulator } from '../runtime/simulator';

/** A deliberately naive AMI client, written here so the test shares no code with the server or any gateway. */
class RawClient {
  readonly socket: net.Socket;
  received = '';
  closed = false;

  constructor(port: number) {
    this.socket = net.connect(port, '127.0.0.1');
    this.socket.setEncoding('latin1');
    this.socket.on('data', (chunk: string) => (this.received += chunk));
    this.socket.on('close', () => (this.closed = true));
  }

  send(text: string): void {
    this.socket.write(text);
  }

  async waitFor(predicate: (received: string) => boolean, timeoutMs = 5000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.received)) {
      if (Date.now() > deadline) throw new Error(`timed out; received so far:\n${this.received.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 5));
    }
    return this.received;
  }

  /** Everything after the banner, split into messages at the blank line. */
  messages(): string[] {
    const body = this.received.slice(this.received.indexOf('\r\n') + 2);
    return body.split('\r\n\r\n').filter((m) => m !== '').map((m) => m + '\r\n\r\n');
  }

  close(): void {
    this.socket.destroy();
  }
}

const header = (message: string, key: string): string | undefined => new RegExp(`^${key}: (.*)$`, 'm').exec(message)?.[1]?.replace(/\r$/, '');
const eventsNamed = (messages: string[], name: string): string[] => messages.filter((m) => m.startsWith(`Event: ${name}\r\n`));

const scenario = simpleScenario(
  {
    durationHours: 1,
    queues: [
      simpleQueue({ arrivals: { kind: 'constant', callsPerHour: 120 }, patience: { kind: 'exponential', mean: 90 }, holdCount: { kind: 'fixed', value: 1 }, blindTransfer: { probability: 0.2, target: 'sales' } }),
      simpleQueue({ name: 'sales', arrivals: { kind: 'constant', callsPerHour: 30 } }),
    ],
  },
  2,
  { skills: { support: 0, sales: 0 }, ringNoAnswerProbability: 0.2, answerDelay: { kind: 'uniform', min: 1, max: 9 } },
);

describe('AMI server conformance (real TCP on 127.0.0.1)', () => {
  let sim: RunningSimulator;
  const clients: RawClient[] = [];
  const connect = (): RawClient => {
    const c = new RawClient(sim.amiPort!);
    clients.push(c);
    return c;
  };

  beforeEach(async () => {
    sim = await startSimulator({ scenario, seed: 3, speed: 'max', amiPort: 0, autoStart: false, amiUsername: 'admin', amiSecret: 'amp111', failedLoginDelayMs: 50 });
  });

  afterEach(async () => {
    clients.splice(0).forEach((c) => c.close());
    await sim.stop();
  });

  it('should greet with a single CRLF banner line and refuse actions before login', async () => {
    const client = connect();
    await client.waitFor((r) => r.length >= 30);
    expect(client.received).toBe('Asterisk Call Manager/11.0.0\r\n');
    client.send('Action: Ping\r\nActionID: 1\r\n\r\n');
    await client.waitFor((r) => r.endsWith('\r\n\r\n'));
    expect(client.received).toBe('Asterisk Call Manager/11.0.0\r\nResponse: Error\r\nActionID: 1\r\nMessage: Permission denied\r\n\r\n');
    expect(client.closed).toBe(false);
  });

  it('should accept a plain login, then FullyBooted, then answer Ping and Events byte for byte', async () => {
    const client = connect();
    client.send('Action: Login\r\nUsername: admin\r\nSecret: amp111\r\nActionID: 7\r\n\r\n');
    await client.waitFor((r) => r.includes('Fully Booted\r\n\r\n'));
    expect(client.received).toBe(
      'Asterisk Call Manager/11.0.0\r\n' +
        'Response: Success\r\nActionID: 7\r\nMessage: Authentication accepted\r\n\r\n' +
        'Event: FullyBooted\r\nPrivilege: system,all\r\nUptime: 0\r\nLastReload: 0\r\nStatus: Fully Booted\r\n\r\n',
    );
    client.received = '';
    client.send('Action: Ping\r\nActionID: 8\r\n\r\n');
    await client.waitFor((r) => r.endsWith('\r\n\r\n'));
    expect(client.received).toMatch(/^Response: Success\r\nActionID: 8\r\nPing: Pong\r\nTimestamp: \d{10}\.\d{6}\r\n\r\n$/);
    client.received = '';
    client.send('Action: Events\r\nEventMask: off\r\nActionID: 9\r\n\r\n');
    await client.waitFor((r) => r.endsWith('\r\n\r\n'));
    expect(client.received).toBe('Response: Success\r\nActionID: 9\r\nEvents: Off\r\n\r\n');
  });

  it('should accept a client that ends its lines with bare LF, as Asterisk does', async () => {
    const client = connect();
    client.send('Action: Login\nUsername: admin\nSecret: amp111\nActionID: lf\nEvents: off\n\n');
    await client.waitFor((r) => r.includes('Message: Authentication accepted\r\n\r\n'));
    expect(client.received).not.toContain('FullyBooted');
  });

  it('should log in with an MD5 challenge and reject a wrong secret by closing the connection', async () => {
    const { createHash } = await import('node:crypto');
    const good = connect();
    good.send('Action: Challenge\r\nAuthType: MD5\r\nActionID: c1\r\n\r\n');
    await good.waitFor((r) => r.includes('Challenge: '));
    const challenge = /Challenge: (\d+)\r\n/.exec(good.received)![1];
    expect(good.received).toContain(`Response: Success\r\nActionID: c1\r\nChallenge: ${challenge}\r\n\r\n`);
    const key = createHash('md5').update(challenge + 'amp111').digest('hex');
    good.send(`Action: Login\r\nAuthType: MD5\r\nUsername: admin\r\nKey: ${key}\r\nActionID: c2\r\n\r\n`);
    await good.waitFor((r) => r.includes('Authentication accepted'));

    const bad = connect();
    bad.send('Action: Login\r\nUsername: admin\r\nSecret: wrong\r\nActionID: b1\r\n\r\n');
    await bad.waitFor((r) => r.includes('Authentication failed'));
    expect(bad.received.endsWith('Response: Error\r\nActionID: b1\r\nMessage: Authentication failed\r\n\r\n')).toBe(true);
    await bad.waitFor(() => bad.closed);
  });

  it('should stream call-center events in CRLF frames with real field names, units and ordering', async () => {
    const client = connect();
    client.send('Action: Login\r\nUsername: admin\r\nSecret: amp111\r\n\r\n');
    await client.waitFor((r) => r.includes('Fully Booted'));
    sim.start();
    await sim.done;
    await client.waitFor((r) => r.split('Event: AgentComplete\r\n').length - 1 >= sim.groundTruth().filter((g) => g.kind === 'contact' && g.outcome === 'answered').length);
    expect(client.received.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    const messages = client.messages();
    for (const m of eventsNamed(messages, 'QueueCallerJoin')) {
      expect(m).toMatch(/^Event: QueueCallerJoin\r\nPrivilege: agent,all\r\nTimestamp: \d{10}\.\d{6}\r\nChannel: PJSIP\/trunk-[0-9a-f]{8}\r\nChannelState: 6\r\nChannelStateDesc: Up\r\n/);
      expect(header(m, 'CallerIDName')).toBe('<unknown>');
      expect(m.match(/^ChanVariable: /gm)).toHaveLength(2);
    }
    const rna = eventsNamed(messages, 'AgentRingNoAnswer');
    expect(rna.length).toBeGreaterThan(0);
    for (const m of rna) expect(Number(header(m, 'RingTime'))).toBe(15000);
    const connects = eventsNamed(messages, 'AgentConnect');
    expect(connects.length).toBeGreaterThan(10);
    for (const connect of connects) {
      const uniqueid = header(connect, 'Uniqueid');
      const leave = messages.findIndex((m) => m.startsWith('Event: QueueCallerLeave') && header(m, 'Uniqueid') === uniqueid && Number(header(m, 'Timestamp')) === Number(header(connect, 'Timestamp')));
      expect(leave).toBeGreaterThanOrEqual(0);
      expect(leave).toBeLessThan(messages.indexOf(connect));
      expect(Number(header(connect, 'RingTime'))).toBeLessThan(15);
      expect(header(connect, 'DestChannel')).toMatch(/^PJSIP\/10\d\d-/);
    }
    expect(eventsNamed(messages, 'BlindTransfer').length).toBeGreaterThan(0);
    expect(eventsNamed(messages, 'Hold').length).toBe(eventsNamed(messages, 'Unhold').length);
    for (const m of eventsNamed(messages, 'AgentComplete')) expect(header(m, 'Reason')).toMatch(/^(caller|agent|transfer)$/);
    for (const m of eventsNamed(messages, 'Hangup')) expect(header(m, 'Cause')).toMatch(/^(0|16)$/);
  });

  it('should answer resync list actions with EventList start, items carrying the ActionID, then Complete with ListItems', async () => {
    const client = connect();
    client.send('Action: Login\r\nUsername: admin\r\nSecret: amp111\r\nEvents: off\r\n\r\n');
    await client.waitFor((r) => r.includes('Authentication accepted'));
    sim.advanceTo(Date.parse('2025-03-03T08:20:00Z'));
    client.received = '';
    client.send('Action: QueueStatus\r\nActionID: qs-1\r\n\r\n');
    await client.waitFor((r) => r.includes('EventList: Complete'));
    const messages = client.received.split('\r\n\r\n').filter((m) => m !== '');
    expect(messages[0]).toBe('Response: Success\r\nActionID: qs-1\r\nEventList: start\r\nMessage: Queue status will follow');
    const items = messages.slice(1, -1);
    expect(items.length).toBeGreaterThan(2);
    for (const item of items) expect(item).toMatch(/\r\nActionID: qs-1$/);
    expect(items.filter((i) => i.startsWith('Event: QueueParams\r\nQueue: '))).toHaveLength(2);
    expect(items.filter((i) => i.startsWith('Event: QueueMember\r\n')).every((i) => /\r\nName: Agent 10\d\d\r\nLocation: PJSIP\/10\d\d\r\n/.test(i))).toBe(true);
    expect(messages[messages.length - 1]).toBe(`Event: QueueStatusComplete\r\nActionID: qs-1\r\nEventList: Complete\r\nListItems: ${items.length}`);
  });

  it('should let a client that reconnects mid-run resync the live channels with CoreShowChannels and Status', async () => {
    const first = connect();
    first.send('Action: Login\r\nUsername: admin\r\nSecret: amp111\r\n\r\n');
    await first.waitFor((r) => r.includes('Fully Booted'));
    sim.advanceTo(Date.parse('2025-03-03T08:30:00Z'));
    first.close();
    const second = connect();
    second.send('Action: Login\r\nUsername: admin\r\nSecret: amp111\r\nEvents: off\r\n\r\nAction: CoreShowChannels\r\nActionID: r1\r\n\r\nAction: Status\r\nActionID: r2\r\n\r\n');
    await second.waitFor((r) => r.includes('Event: StatusComplete'));
    const messages = second.messages();
    const channels = eventsNamed(messages, 'CoreShowChannel');
    expect(messages).toContain('Response: Success\r\nActionID: r1\r\nEventList: start\r\nMessage: Channels will follow\r\n\r\n');
    expect(channels.length).toBeGreaterThan(0);
    for (const c of channels) expect(c).toMatch(/^Event: CoreShowChannel\r\nActionID: r1\r\nChannel: PJSIP\//);
    expect(eventsNamed(messages, 'CoreShowChannelsComplete')[0]).toBe(`Event: CoreShowChannelsComplete\r\nActionID: r1\r\nEventList: Complete\r\nListItems: ${channels.length}\r\n\r\n`);
    const statuses = eventsNamed(messages, 'Status');
    expect(statuses).toHaveLength(channels.length);
    for (const s of statuses) expect(s).toMatch(/^Event: Status\r\nPrivilege: Call\r\n[\s\S]*\r\nBridgeID: [^\r]*\r\n[\s\S]*ActionID: r2\r\n\r\n$/);
    expect(eventsNamed(messages, 'StatusComplete')[0]).toBe(`Event: StatusComplete\r\nActionID: r2\r\nEventList: Complete\r\nListItems: ${channels.length}\r\nItems: ${channels.length}\r\n\r\n`);
  });
});

describe('AMI with several clients', () => {
  it('should stream the same events, byte for byte, to two logged-in clients at once', async () => {
    const sim = await startSimulator({ scenario, seed: 4, speed: 'max', amiPort: 0, autoStart: false });
    const [a, b] = [new RawClient(sim.amiPort!), new RawClient(sim.amiPort!)];
    try {
      for (const c of [a, b]) c.send('Action: Login\r\nUsername: switchboard\r\nSecret: switchboard\r\n\r\n');
      await Promise.all([a, b].map((c) => c.waitFor((r) => r.includes('Fully Booted'))));
      sim.start();
      await sim.done;
      const answered = sim.groundTruth().filter((g) => g.kind === 'contact' && g.outcome === 'answered').length;
      const complete = (c: RawClient) => c.waitFor((r) => r.split('Event: AgentComplete\r\n').length - 1 >= answered);
      await Promise.all([complete(a), complete(b)]);
      const events = (c: RawClient) => c.messages().filter((m) => m.startsWith('Event: ') && !m.startsWith('Event: FullyBooted'));
      expect(events(a).length).toBeGreaterThan(answered * 5);
      expect(events(b)).toEqual(events(a));
    } finally {
      a.close();
      b.close();
      await sim.stop();
    }
  });
});

describe('AMI external routing', () => {
  it('should ring the agent named in a Bridge action', async () => {
    const sim = await startSimulator({ scenario, seed: 6, speed: 60, amiPort: 0, autoStart: false, routing: 'external' });
    const client = new RawClient(sim.amiPort!);
    try {
      client.send('Action: Login\r\nUsername: switchboard\r\nSecret: switchboard\r\n\r\n');
      await client.waitFor((r) => r.includes('Fully Booted'));
      sim.start();
      await client.waitFor((r) => r.includes('Event: QueueCallerJoin'));
      const join = client.messages().find((m) => m.startsWith('Event: QueueCallerJoin'))!;
      client.send(`Action: Bridge\r\nChannel1: ${header(join, 'Channel')}\r\nChannel2: PJSIP/1001\r\nActionID: br1\r\n\r\n`);
      await client.waitFor((r) => r.includes('Event: AgentCalled'));
      expect(client.received).toContain('Response: Success\r\nActionID: br1\r\n');
      const called = client.messages().find((m) => m.startsWith('Event: AgentCalled'))!;
      expect(header(called, 'Interface')).toBe('PJSIP/1001');
      expect(header(called, 'Channel')).toBe(header(join, 'Channel'));
    } finally {
      client.close();
      await sim.stop();
    }
  });

  it('should ring the agent named in a Redirect and report an unknown channel as an error', async () => {
    const sim = await startSimulator({ scenario, seed: 5, speed: 60, amiPort: 0, autoStart: false, routing: 'external' });
    const client = new RawClient(sim.amiPort!);
    try {
      client.send('Action: Login\r\nUsername: switchboard\r\nSecret: switchboard\r\n\r\n');
      await client.waitFor((r) => r.includes('Fully Booted'));
      sim.start();
      await client.waitFor((r) => r.includes('Event: QueueCallerJoin'));
      const join = client.messages().find((m) => m.startsWith('Event: QueueCallerJoin'));
      client.send(`Action: Redirect\r\nChannel: PJSIP/nobody-00000000\r\nExten: 1001\r\nContext: agents\r\nPriority: 1\r\nActionID: x0\r\n\r\n`);
      client.send(`Action: Redirect\r\nChannel: ${header(join!, 'Channel')}\r\nExten: 1002\r\nContext: agents\r\nPriority: 1\r\nActionID: x1\r\n\r\n`);
      await client.waitFor((r) => r.includes('Event: AgentCalled'));
      expect(client.received).toContain('Response: Error\r\nActionID: x0\r\nMessage: No such channel\r\n\r\n');
      expect(client.received).toContain('Response: Success\r\nActionID: x1\r\nMessage: Redirect successful\r\n\r\n');
      const called = client.messages().find((m) => m.startsWith('Event: AgentCalled'))!;
      expect(header(called, 'Interface')).toBe('PJSIP/1002');
      expect(header(called, 'Channel')).toBe(header(join!, 'Channel'));
    } finally {
      client.close();
      await sim.stop();
    }
  });
});
