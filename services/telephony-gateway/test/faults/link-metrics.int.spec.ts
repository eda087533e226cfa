// The gateway's link metrics as Prometheus scrapes them, driven by a fake event-socket peer that sends a malformed
// frame (a non-numeric Content-Length), an event the gateway does not interpret, and drops the link once.
import { randomBytes } from 'node:crypto';
import * as http from 'node:http';
import * as net from 'node:net';
import { serveMetrics } from '@switchboard/service-kit';
import { eventually, freshDatabase, testKafka, uniqueName } from '@switchboard/testing';
import { Pool } from 'pg';
import { Registry } from 'prom-client';
import { startGateway, type GatewayRuntime } from '../../src/gateway-runtime';

const AGENT_LIST = 'name|instance_id|uuid|type|contact|status|state|max_no_answer|wrap_up_time|reject_delay_time|busy_delay_time|no_answer_delay_time|last_bridge_start|last_bridge_end|last_offered_call|last_status_change|no_answer_count|calls_answered|talk_time|ready_time\n+OK\n';

/** Just enough of FreeSWITCH's inbound event socket: auth, subscription, the agent list, then what the test sends. */
function fakeEventSocket(password: string) {
  const sockets: net.Socket[] = [];
  const server = net.createServer((socket) => {
    sockets.push(socket);
    socket.write('Content-Type: auth/request\n\n');
    let buffered = '';
    socket.on('data', (chunk) => {
      buffered += chunk.toString();
      for (let end = buffered.indexOf('\n\n'); end >= 0; end = buffered.indexOf('\n\n')) {
        const command = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        if (command.startsWith('auth ')) socket.write(`Content-Type: command/reply\nReply-Text: ${command === `auth ${password}` ? '+OK accepted' : '-ERR invalid'}\n\n`);
        else if (command.startsWith('event ')) socket.write('Content-Type: command/reply\nReply-Text: +OK event listener enabled plain\n\n');
        else if (command.startsWith('api ')) {
          const body = command.includes('agent list') ? AGENT_LIST : 'UP 0 years\n';
          socket.write(`Content-Type: api/response\nContent-Length: ${Buffer.byteLength(body)}\n\n${body}`);
        }
      }
    });
    socket.on('error', () => undefined);
  });
  return { server, sockets, send: (text: string) => sockets.at(-1)!.write(text) };
}

function scrape(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: '/metrics' }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

const sample = (text: string, name: string, labels: Record<string, string>): number | undefined => {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
};

describe('gateway link metrics on the metrics endpoint', () => {
  let db: { url: string; drop: () => Promise<void> };
  let pool: Pool;
  let gateway: GatewayRuntime | undefined;
  let metricsServer: http.Server;
  const peer = fakeEventSocket('s3cret');
  const link = uniqueName('fs');

  beforeAll(async () => {
    db = await freshDatabase('sb_gw_metrics');
    pool = new Pool({ connectionString: db.url, max: 4 });
    await new Promise<void>((r) => peer.server.listen(0, '127.0.0.1', r));
    const registry = new Registry();
    metricsServer = await serveMetrics(registry, 0, '127.0.0.1');
    gateway = await startGateway({
      pool, kafka: testKafka('gw-metrics'), relayName: uniqueName('relay'), metrics: registry, backoff: { initialMs: 50, maxMs: 200 },
      settings: { tenant: uniqueName('t').toLowerCase(), site: 'hq', callerHashKey: randomBytes(32).toString('hex'), ami: null, esl: {
        pbxLinkId: link, host: '127.0.0.1', port: (peer.server.address() as net.AddressInfo).port, password: 's3cret', keepaliveMs: 60_000, ringCycleMs: 5000, defaultDialedNumber: '0',
      } },
    });
    await eventually('the event-socket link up', async () => gateway!.eslLinks[0].status().state === 'up');
  });

  afterAll(async () => {
    await gateway?.stop();
    peer.sockets.forEach((s) => s.destroy());
    await new Promise((r) => peer.server.close(r));
    await new Promise((r) => metricsServer.close(r));
    await pool?.end();
    await db?.drop();
  });

  const port = () => (metricsServer.address() as net.AddressInfo).port;
  const labels = { pbx_link_id: link, protocol: 'freeswitch-esl' };

  it('should count a malformed frame as a parse error of its link and kind, and keep counting frames after it', async () => {
    const before = await scrape(port());
    expect(sample(before, 'gateway_parse_errors_total', { ...labels, kind: 'malformed' })).toBeUndefined();
    const framesBefore = sample(before, 'gateway_frames_received_total', labels)!;
    expect(framesBefore).toBeGreaterThanOrEqual(4); // auth/request, two replies, the agent list

    peer.send('Content-Type: text/event-plain\nContent-Length: twelve\n\n');
    const uninterpreted = 'Event-Name: CUSTOM\nEvent-Subclass: callcenter%3A%3Ainfo\nCC-Action: nonsense\n\n';
    peer.send(`Content-Type: text/event-plain\nContent-Length: ${Buffer.byteLength(uninterpreted)}\n\n${uninterpreted}`);
    await eventually('the parse error counted', async () => sample(await scrape(port()), 'gateway_parse_errors_total', { ...labels, kind: 'malformed' }) === 1);
    const after = await scrape(port());
    expect(sample(after, 'gateway_frames_received_total', labels)).toBe(framesBefore + 1);
    expect(sample(after, 'gateway_unknown_events_total', labels)).toBe(1);
    expect(sample(after, 'gateway_link_up', labels)).toBe(1);
    expect(after).toMatch(/^gateway_outbox_backlog(\{[^}]*\})? \d+$/m);
  });

  it('should report the link down, then count the reconnect', async () => {
    peer.sockets.at(-1)!.destroy();
    await eventually('the link back up', async () => peer.sockets.length === 2 && gateway!.eslLinks[0].status().state === 'up');
    const text = await scrape(port());
    expect(sample(text, 'gateway_link_reconnects_total', labels)).toBe(1);
    expect(sample(text, 'gateway_link_up', labels)).toBe(1);
  });
});
