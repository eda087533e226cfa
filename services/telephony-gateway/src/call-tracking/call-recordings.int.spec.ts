import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Topics } from '@switchboard/contracts';
import { freshDatabase, testKafka, uniqueName } from '@switchboard/testing';
import { loadScenario, startSimulator, type ContactRecord, type RunningSimulator } from '@switchboard/pbx-simulator';
import { Pool } from 'pg';
import { Registry } from 'prom-client';
import { startGateway, type GatewayRuntime } from '../gateway-runtime';
import type { GatewaySettings } from '../config';
import { readTopic, type TopicEvent } from '../test-support/read-topic';

jest.setTimeout(240_000);
const SCENARIO = join(__dirname, '../../../../tools/pbx-simulator/scenarios/small-test-day.json');
const until = async (ok: () => boolean | Promise<boolean>) => { while (!(await ok())) await new Promise((r) => setTimeout(r, 100)); };
const PBX_DIR = { ami: '/var/spool/asterisk/monitor', esl: '/var/lib/freeswitch/recordings' } as const;

/** One simulated day recorded over one protocol; the gateway reads the files from the simulator's directory. */
async function recordedDay(protocol: 'ami' | 'esl') {
  const directory = mkdtempSync(join(tmpdir(), `sb-recordings-${protocol}-`));
  const db = await freshDatabase(`sb_gw_rec_${protocol}`);
  const pool = new Pool({ connectionString: db.url, max: 4 });
  const tenant = uniqueName('t').toLowerCase();
  const secret = randomBytes(12).toString('hex');
  const scenario = { ...(await loadScenario(SCENARIO)), durationHours: 1.5 };
  const sim: RunningSimulator = await startSimulator({
    // A finite speed: file reads take wall time, and at full speed hours of PBX time would pass during one.
    scenario, seed: protocol === 'ami' ? 21 : 22, speed: 300, autoStart: false, recordingsDir: directory, recordingsReportedDir: PBX_DIR[protocol],
    ...(protocol === 'ami' ? { amiPort: 0, amiSecret: secret } : { eslPort: 0, eslPassword: secret }),
  });
  // A long keepalive: the simulator and the gateway share one event loop here, and on a loaded machine a late Ping
  // reply would drop the link and lose the frames sent meanwhile (the drops are reported below if it happens anyway).
  const link = { pbxLinkId: uniqueName(protocol), host: '127.0.0.1', keepaliveMs: 30_000, ringCycleMs: 5000, defaultDialedNumber: '4008001234' };
  const settings: GatewaySettings = {
    tenant, site: 'hq', callerHashKey: randomBytes(32).toString('hex'),
    ami: protocol === 'ami' ? { ...link, port: sim.amiPort!, username: 'switchboard', secret } : null,
    esl: protocol === 'esl' ? { ...link, port: sim.eslPort!, password: secret } : null,
    recordings: { directory, pbxDirectory: PBX_DIR[protocol], storageBaseUri: 's3://recordings/site-a', attempts: 6, retryInitialMs: 100 },
  };
  const metrics = new Registry();
  const linkDowns: unknown[] = [];
  const log = (_level: string, message: string, detail?: Record<string, unknown>) => { if (message.endsWith('link down')) linkDowns.push(detail); };
  const gateway: GatewayRuntime = await startGateway({ pool, kafka: testKafka(`gw-rec-${protocol}`), relayName: uniqueName('relay'), settings, metrics, log });
  const status = () => (protocol === 'ami' ? gateway.links[0] : gateway.eslLinks[0]).status();
  await until(() => status().state === 'up' && sim.progress().amiClients + sim.progress().eslClients > 0);
  sim.start();
  await sim.done;
  await until(async () => status().backlog === 0 && (await pool.query('select count(*)::int as n from es_outbox')).rows[0].n === 0);
  const truth = sim.groundTruth().filter((r): r is ContactRecord => r.kind === 'contact' && r.recording !== null);
  const published = await readTopic(Topics.telephonyCall.name, tenant, (es) => es.filter(isRecording).length >= truth.length);
  const counted = async (outcome: string) => (await metrics.getSingleMetric('gateway_recordings_total')!.get()).values.filter((v) => v.labels.outcome === outcome).reduce((n, v) => n + v.value, 0);
  return {
    truth, published, counted, linkDowns,
    close: async () => {
      await gateway.stop();
      await sim.stop();
      await pool.end();
      await db.drop();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

const isRecording = (e: TopicEvent) => e.type.endsWith('.recording-available.v1');

/** Each ground-truth recording published once: its file, hash, length and agent, in the call's sequence. */
function recordingMismatches(truth: ContactRecord[], events: TopicEvent[], pbxDir: string): string[] {
  const recordings = events.filter(isRecording);
  const problems = truth.flatMap((t) => {
    const relative = t.recording!.file.slice(pbxDir.length + 1);
    const found = recordings.filter((e) => String(e.data.storageUri) === `s3://recordings/site-a/${relative}`);
    if (found.length !== 1) return [`${t.contactId}: ${found.length} CallRecordingAvailable`];
    const d = found[0].data;
    const wrong = [
      d.sha256 !== t.recording!.sha256 && 'sha256', Math.abs(Number(d.durationSeconds) - t.recording!.durationSeconds) > 0.001 && `duration ${String(d.durationSeconds)} vs ${t.recording!.durationSeconds}`,
      d.agentId !== t.agentId && `agent ${String(d.agentId)} vs ${t.agentId}`, d.mediaType !== 'audio/wav' && 'mediaType',
    ].filter(Boolean);
    return wrong.length === 0 ? [] : [`${t.contactId}: ${wrong.join(', ')}`];
  });
  if (recordings.length !== truth.length) problems.push(`${recordings.length} published for ${truth.length} recordings`);
  return problems;
}

describe.each(['ami', 'esl'] as const)('Call recordings over %s against the PBX simulator', (protocol) => {
  let day: Awaited<ReturnType<typeof recordedDay>>;
  beforeAll(async () => { day = await recordedDay(protocol); });
  afterAll(async () => { await day?.close(); });

  it('should publish one CallRecordingAvailable per recorded contact with the ground-truth hash, length and agent', () => {
    expect(day.truth.length).toBeGreaterThan(20);
    expect(day.linkDowns).toEqual([]);
    expect(recordingMismatches(day.truth, day.published, PBX_DIR[protocol])).toEqual([]);
  });

  it('should wait for recordings still being flushed at their stop event, not publish them early or lose them', async () => {
    expect(day.truth.filter((t) => t.recording!.flushedLate).length).toBeGreaterThan(0);
    expect(await day.counted('stored')).toBe(day.truth.length);
    expect(await day.counted('still-writing')).toBe(0);
  });

  it('should keep every call\'s sequence gap-free with the recordings in it', () => {
    const bySubject = new Map<string, number[]>();
    for (const e of day.published) bySubject.set(e.subject, [...(bySubject.get(e.subject) ?? []), e.sequence]);
    const gaps = [...bySubject].filter(([, seqs]) => seqs.some((s, i) => s !== i + 1));
    expect(gaps).toEqual([]);
  });
});
