import * as net from 'node:net';
import { simpleQueue, simpleScenario } from '../domain/test-scenarios';
import { startSimulator, type RunningSimulator } from '../runtime/simulator';

/** Minimal event-socket client written for this test only. */
class RawEslClient {
  readonly socket: net.Socket;
  received = '';
  closed = false;

  constructor(port: number) {
    this.socket = net.connect(port, '127.0.0.1');
    this.socket.setEncoding('latin1');
    this.socket.on('data', (chunk: string) => (this.received += chunk));
    this.socket.on('close', () => (this.closed = true));
  }

  async waitFor(predicate: (received: string) => boolean, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.received)) {
      if (Date.now() > deadline) throw new Error(`timed out; received:\n${this.received.slice(-1500)}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}

/** Splits the stream by the outer headers and their Content-Length. */
function frames(stream: string): { headers: string; body: string }[] {
  const out: { headers: string; body: string }[] = [];
  let rest = stream;
  while (rest.length > 0) {
    const end = rest.indexOf('\n\n');
    if (end < 0) break;
    const headers = rest.slice(0, end);
    const length = Number(/^Content-Length: (\d+)$/m.exec(headers)?.[1] ?? 0);
    if (rest.length < end + 2 + length) break; // a frame still in flight
    out.push({ headers, body: rest.slice(end + 2, end + 2 + length) });
    rest = rest.slice(end + 2 + length);
  }
  return out;
}

describe('FreeSWITCH event socket conformance (real TCP on 127.0.0.1)', () => {
  let sim: RunningSimulator;
  let client: RawEslClient;
  const scenario = simpleScenario(
    { queues: [simpleQueue({ arrivals: { kind: 'constant', callsPerHour: 90 }, patience: { kind: 'exponential', mean: 60 } })] },
    2,
    { ringNoAnswerProbability: 0.2, answerDelay: { kind: 'fixed', value: 3 }, breaks: [{ at: '08:20', minutes: 5, reason: 'Break' }] },
  );

  beforeEach(async () => {
    sim = await startSimulator({ scenario, seed: 4, speed: 'max', eslPort: 0, eslPassword: 'ClueCon', autoStart: false });
    client = new RawEslClient(sim.eslPort!);
  });

  afterEach(async () => {
    client.socket.destroy();
    await sim.stop();
  });

  it('should ask for auth with LF-only framing and reject a wrong password with a disconnect notice', async () => {
    await client.waitFor((r) => r.length >= 27);
    expect(client.received).toBe('Content-Type: auth/request\n\n');
    client.socket.write('auth nope\n\n');
    await client.waitFor(() => client.closed);
    expect(client.received).toBe(
      'Content-Type: auth/request\n\n' +
        'Content-Type: command/reply\nReply-Text: -ERR invalid\n\n' +
        'Content-Type: text/disconnect-notice\nContent-Length: 67\n\nDisconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n',
    );
  });

  it('should stream mod_callcenter events as text/event-plain with exact Content-Length and URL-encoded values', async () => {
    client.socket.write('auth ClueCon\n\nevent plain CUSTOM callcenter::info\n\n');
    await client.waitFor((r) => r.includes('+OK event listener enabled plain\n\n'));
    expect(client.received).toBe(
      'Content-Type: auth/request\n\nContent-Type: command/reply\nReply-Text: +OK accepted\n\nContent-Type: command/reply\nReply-Text: +OK event listener enabled plain\n\n',
    );
    client.received = '';
    sim.start();
    await sim.done;
    await client.waitFor((r) => r.includes('CC-Action: member-queue-end') && r.split('CC-Cause: Terminated').length > 3);
    expect(client.received).not.toContain('\r');
    const events = frames(client.received);
    for (const { headers, body } of events) {
      expect(headers).toBe(`Content-Length: ${Buffer.byteLength(body)}\nContent-Type: text/event-plain`);
      expect(body.endsWith('\n\n')).toBe(true);
      expect(body).toMatch(/^Event-Name: CUSTOM\n/);
      expect(body).toContain('\nEvent-Subclass: callcenter%3A%3Ainfo\n');
      for (const line of body.trimEnd().split('\n')) expect(line).toMatch(/^[A-Za-z0-9-]+: [^ ]*$/);
    }
    const actions = new Set(events.map((e) => /\nCC-Action: (.*)\n/.exec(e.body)![1]));
    for (const action of ['agent-status-change', 'agent-state-change', 'member-queue-start', 'agent-offering', 'bridge-agent-start', 'bridge-agent-end', 'bridge-agent-fail', 'member-queue-end']) {
      expect(actions).toContain(action);
    }
    expect(client.received).toContain('CC-Agent: 1001%40default\n');
    expect(client.received).toContain('CC-Agent-Status: On%20Break\n');
    expect(client.received).toMatch(/CC-Agent-State: In%20a%20queue%20call\n/);
    const start = events.find((e) => e.body.includes('CC-Action: bridge-agent-start'))!.body;
    for (const name of ['CC-Queue', 'CC-Agent', 'CC-Agent-UUID', 'CC-Agent-Called-Time', 'CC-Agent-Answered-Time', 'CC-Member-Joined-Time', 'CC-Member-UUID', 'CC-Member-Session-UUID', 'CC-Member-CID-Number']) {
      expect(start).toMatch(new RegExp(`\\n${name}: \\S+\\n`));
    }
  });

  it('should answer the agent-list api used to resync after a reconnect', async () => {
    sim.advanceTo(Date.parse('2025-03-03T08:10:00Z'));
    client.socket.write('auth ClueCon\n\napi callcenter_config agent list\n\n');
    await client.waitFor((r) => r.includes('+OK\n'));
    const api = frames(client.received).find((f) => f.headers.startsWith('Content-Type: api/response'))!;
    expect(api.headers).toBe(`Content-Type: api/response\nContent-Length: ${Buffer.byteLength(api.body)}`);
    const rows = api.body.trimEnd().split('\n');
    expect(rows[0]).toMatch(/^name\|instance_id\|uuid\|type\|contact\|status\|state\|/);
    expect(rows.slice(1, -1).map((r) => r.split('|')[0]).sort()).toEqual(['1001@default', '1002@default']);
    expect(rows[rows.length - 1]).toBe('+OK');
  });
});

describe('FreeSWITCH event socket external routing (uuid_transfer)', () => {
  const scenario = simpleScenario({ queues: [simpleQueue({ arrivals: { kind: 'constant', callsPerHour: 120 }, patience: { kind: 'exponential', mean: 600 } })] }, 2, {});

  it('should ring the agent a waiting caller session is transferred to, and refuse an unknown session or an agent who is not available', async () => {
    const sim = await startSimulator({ scenario, seed: 7, speed: 60, eslPort: 0, autoStart: false, routing: 'external' });
    const client = new RawEslClient(sim.eslPort!);
    try {
      client.socket.write('auth ClueCon\n\nevent plain CUSTOM callcenter::info\n\n');
      await client.waitFor((r) => r.includes('+OK event listener enabled plain\n\n'));
      sim.start();
      await client.waitFor((r) => r.includes('CC-Action: member-queue-start'));
      const start = frames(client.received).find((f) => f.body.includes('CC-Action: member-queue-start'))!.body;
      const session = /\nCC-Member-Session-UUID: (\S+)\n/.exec(start)![1];
      const replies = () => frames(client.received).filter((f) => f.headers.startsWith('Content-Type: api/response')).map((f) => f.body);
      client.socket.write('api uuid_transfer 00000000-0000-4000-a000-000000000000 1001 XML default\n\n');
      await client.waitFor(() => replies().length === 1);
      client.socket.write(`api uuid_transfer ${session} 9999 XML default\n\n`);
      await client.waitFor(() => replies().length === 2);
      client.socket.write(`api uuid_transfer ${session} 1002 XML default\n\n`);
      await client.waitFor(() => replies().length === 3 && client.received.includes('CC-Action: agent-offering'));
      expect(replies()).toEqual(['-ERR No such channel!\n', '-ERR agent 9999 is not available\n', '+OK\n']);
      const offering = frames(client.received).find((f) => f.body.includes('CC-Action: agent-offering'))!.body;
      expect(offering).toContain('\nCC-Agent: 1002%40default\n');
      expect(offering).toContain(`\nCC-Member-Session-UUID: ${session}\n`);
    } finally {
      client.socket.destroy();
      await sim.stop();
    }
  });
});
