/**
 * PBX simulator throughput: a 1,000-agent peak hour at maximum speed, streamed as AMI to one TCP client on
 * 127.0.0.1, against a baseline in the same run: a bare socket writer sending pre-rendered frames of the same
 * average size and count. Run directly: node -r @swc-node/register bench/src/pbx-simulator.bench.ts
 */
import * as net from 'node:net';
import * as path from 'node:path';
import { startSimulator } from '@switchboard/pbx-simulator';

export interface BenchResult {
  readonly name: string;
  readonly metrics: Record<string, number>;
  readonly baseline: Record<string, number>;
  readonly notes: string;
}

const TERMINATOR = Buffer.from('\r\n\r\n');
const TARGET_EVENTS_PER_SECOND = 50_000;

/** Counts AMI messages (blank-line terminated) across chunk boundaries. */
class MessageCounter {
  messages = 0;
  bytes = 0;
  private tail: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): void {
    this.bytes += chunk.length;
    const data = this.tail.length > 0 ? Buffer.concat([this.tail, chunk]) : chunk;
    let index = data.indexOf(TERMINATOR);
    let last = -1;
    while (index >= 0) {
      this.messages++;
      last = index;
      index = data.indexOf(TERMINATOR, index + 4);
    }
    this.tail = data.subarray(last >= 0 ? last + 4 : Math.max(0, data.length - 3));
  }
}

function connectCounter(port: number): Promise<{ socket: net.Socket; counter: MessageCounter }> {
  return new Promise((resolve, reject) => {
    const counter = new MessageCounter();
    const socket = net.connect(port, '127.0.0.1', () => resolve({ socket, counter }));
    socket.on('data', (chunk: Buffer) => counter.push(chunk));
    socket.once('error', reject);
  });
}

async function until(predicate: () => boolean, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('benchmark timed out');
    await new Promise((r) => setTimeout(r, 2));
  }
}

async function measureSimulator(): Promise<{ events: number; bytes: number; seconds: number; calls: number }> {
  const scenario = path.join(__dirname, '..', '..', 'tools', 'pbx-simulator', 'scenarios', 'peak-hour-1000-agents.json');
  const sim = await startSimulator({ scenario, seed: 1, speed: 'max', amiPort: 0, autoStart: false });
  const { socket, counter } = await connectCounter(sim.amiPort!);
  socket.write('Action: Login\r\nUsername: switchboard\r\nSecret: switchboard\r\n\r\n');
  await until(() => counter.messages >= 2); // login response + FullyBooted
  const before = { messages: counter.messages, bytes: counter.bytes };
  const started = process.hrtime.bigint();
  sim.start();
  const summary = await sim.done;
  await until(() => counter.bytes - before.bytes >= summary.amiBytes);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  socket.destroy();
  await sim.stop();
  return { events: counter.messages - before.messages, bytes: counter.bytes - before.bytes, seconds, calls: summary.contacts };
}

/** Same number of frames of the same average size, pre-rendered, written in batches with the same back-pressure rule. */
async function measureBaseline(events: number, bytes: number): Promise<{ events: number; seconds: number }> {
  const frameSize = Math.max(8, Math.round(bytes / events));
  const frame = `Event: Baseline\r\nPrivilege: agent,all\r\nPadding: ${'x'.repeat(Math.max(0, frameSize - 47))}\r\n\r\n`;
  const batch = frame.repeat(2000);
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const accepted = new Promise<net.Socket>((resolve) => server.once('connection', resolve));
  const { socket, counter } = await connectCounter((server.address() as net.AddressInfo).port);
  const writer = await accepted;
  const started = process.hrtime.bigint();
  for (let sent = 0; sent < events; sent += 2000) {
    writer.write(sent + 2000 <= events ? batch : frame.repeat(events - sent));
    while (writer.writableLength > 4 * 1024 * 1024) await new Promise((r) => setTimeout(r, 1));
    await new Promise((r) => setImmediate(r));
  }
  await until(() => counter.messages >= events);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  socket.destroy();
  writer.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return { events: counter.messages, seconds };
}

export async function runPbxSimulatorBench(): Promise<BenchResult> {
  const simulated = await measureSimulator();
  const baseline = await measureBaseline(simulated.events, simulated.bytes);
  const eventsPerSecond = simulated.events / simulated.seconds;
  const baselinePerSecond = baseline.events / baseline.seconds;
  return {
    name: 'pbx-simulator: 1,000-agent peak hour, AMI at maximum speed to one TCP client',
    metrics: {
      amiEventsPerSecond: Math.round(eventsPerSecond),
      amiEvents: simulated.events,
      amiMegabytes: Math.round(simulated.bytes / 1e5) / 10,
      contacts: simulated.calls,
      wallSeconds: Math.round(simulated.seconds * 1000) / 1000,
      targetEventsPerSecond: TARGET_EVENTS_PER_SECOND,
      ratioToBaseline: Math.round((eventsPerSecond / baselinePerSecond) * 1000) / 1000,
    },
    baseline: { eventsPerSecond: Math.round(baselinePerSecond), events: baseline.events, wallSeconds: Math.round(baseline.seconds * 1000) / 1000 },
    notes: `Baseline = bare socket writer sending pre-rendered frames of the same average size (${Math.round(simulated.bytes / simulated.events)} B) and count. ` +
      `Pass = amiEventsPerSecond >= ${TARGET_EVENTS_PER_SECOND}.`,
  };
}

if (require.main === module) {
  runPbxSimulatorBench()
    .then((result) => {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      if (result.metrics.amiEventsPerSecond < TARGET_EVENTS_PER_SECOND) process.exitCode = 1;
    })
    .catch((error: unknown) => {
      process.stderr.write(`${String(error)}\n`);
      process.exitCode = 1;
    });
}
