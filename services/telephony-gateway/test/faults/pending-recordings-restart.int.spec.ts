// ADR 0009: a recording whose file the gateway was still waiting for when its process was SIGKILLed is read again by
// the next process (the pending recording is persisted with its file in the stop event's own statement), and
// CallRecordingAvailable is published once.
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Topics } from '@switchboard/contracts';
import { repoRoot } from '@switchboard/local-infra';
import { loadScenario, startSimulator, type ContactRecord, type RunningSimulator } from '@switchboard/pbx-simulator';
import { eventually, freshDatabase, killWorkers, spawnWorker, testInfra, uniqueName } from '@switchboard/testing';
import { Pool } from 'pg';
import { readTopic } from '../../src/test-support/read-topic';
import { freePorts, sleep } from './fault-support';

jest.setTimeout(300_000);
const SCENARIO = path.join(repoRoot, 'tools/pbx-simulator/scenarios/small-test-day.json');
const MAIN = path.join(repoRoot, 'services/telephony-gateway/src/main.ts');
const PBX_DIR = '/var/spool/asterisk/monitor';
const MINUTE = 60_000;

interface Pending { subject: string; file: string }

describe('a recording pending when the gateway is SIGKILLed', () => {
  let db: { url: string; drop: () => Promise<void> };
  let pool: Pool;
  let sim: RunningSimulator;
  const written = mkdtempSync(path.join(tmpdir(), 'sb-rec-pbx-'));
  const mounted = mkdtempSync(path.join(tmpdir(), 'sb-rec-mount-'));
  const tenant = uniqueName('t').toLowerCase();
  const secret = randomBytes(12).toString('hex');
  const pbxLinkId = uniqueName('pbx');
  let pendingAtKill: Pending[] = [];
  let env: Record<string, string>;

  const gatewayEnv = async (recordings: Record<string, string>): Promise<Record<string, string>> => {
    const [grpc, metrics] = await freePorts(2);
    return { ...env, ...recordings, GRPC_PORT: String(grpc), METRICS_PORT: String(metrics) };
  };
  const pending = async (): Promise<Pending[]> => (await pool.query<Pending>(
    `select s.subject, r->>'file' as file from gw_subject_state s, jsonb_array_elements(s.state->'recordings') r
      where s.pbx_link_id = $1 and s.kind = 'call' and r ? 'file' order by 1, 2`, [pbxLinkId])).rows;

  beforeAll(async () => {
    db = await freshDatabase('sb_gw_rec_kill');
    pool = new Pool({ connectionString: db.url, max: 2 });
    sim = await startSimulator({
      scenario: { ...(await loadScenario(SCENARIO)), durationHours: 2 }, seed: 31, speed: 'max', amiPort: 0, amiSecret: secret, autoStart: false,
      recordingsDir: written, recordingsReportedDir: PBX_DIR,
    });
    env = {
      DATABASE_URL: db.url, KAFKA_BROKERS: testInfra().brokers.join(','), LOG_LEVEL: 'warn', AUTH_JWT_SECRET: randomBytes(32).toString('hex'),
      CALLER_HASH_KEY: randomBytes(32).toString('hex'), TENANT_ID: tenant, SITE_ID: 'hq', AMI_HOST: '127.0.0.1', AMI_PORT: String(sim.amiPort), AMI_USERNAME: 'switchboard',
      AMI_SECRET: secret, PBX_LINK_ID: pbxLinkId, RING_CYCLE_SECONDS: '5', DEFAULT_DIALED_NUMBER: '4008001234', EXECUTE_ROUTING_DECISIONS: 'false',
      RECORDINGS_DIR: mounted, RECORDINGS_PBX_DIR: PBX_DIR, RECORDINGS_BASE_URI: 's3://recordings/site-a',
    };

    // The first process sees the stops but not yet the files (the volume lags behind the PBX): every read waits.
    const first = spawnWorker(MAIN, await gatewayEnv({ RECORDINGS_READ_ATTEMPTS: '10', RECORDINGS_RETRY_INITIAL_MS: '60000' }));
    await eventually('the first gateway logged in over AMI', async () => sim.progress().amiClients === 1, 90_000);
    sim.advanceTo(sim.simulation.startMs + 60 * MINUTE);
    let last = '';
    await eventually('the first gateway committed the stops it waits for', async () => {
      const frames = (await pool.query('select coalesce(max(frame_sequence), 0)::text as n from gw_link_state')).rows[0].n as string;
      const n = `${(await pending()).length}/${frames}`;
      const settled = !n.startsWith('0/') && n === last;
      last = n;
      if (!settled) await sleep(500);
      return settled;
    }, 90_000);
    pendingAtKill = await pending();
    first.kill('SIGKILL');
    await first.exited;

    // The files arrive (complete: the PBX's late flushes are done), and a new process starts.
    await sleep(1000);
    for (const f of readdirSync(written)) copyFileSync(path.join(written, f), path.join(mounted, f));
    const second = spawnWorker(MAIN, await gatewayEnv({ RECORDINGS_READ_ATTEMPTS: '6', RECORDINGS_RETRY_INITIAL_MS: '100' }));
    await eventually('the pending recordings settled by the second gateway', async () => second.exitCode === null && (await pending()).length === 0, 90_000);
    await eventually('the outbox drained', async () => (await pool.query('select count(*)::int as n from es_outbox')).rows[0].n === 0, 60_000);
    second.kill('SIGTERM');
    await second.exited;
  });

  afterAll(async () => {
    killWorkers();
    await sim?.stop();
    await pool?.end();
    await db?.drop();
    rmSync(written, { recursive: true, force: true });
    rmSync(mounted, { recursive: true, force: true });
  });

  it('should publish CallRecordingAvailable once for each, with the ground-truth hash, after the restart', async () => {
    expect(pendingAtKill.length).toBeGreaterThan(0);
    const truth = new Map(sim.groundTruth().filter((r): r is ContactRecord => r.kind === 'contact' && r.recording !== null).map((r) => [r.recording!.file, r]));
    const uriOf = (file: string) => `s3://recordings/site-a/${file.slice(PBX_DIR.length + 1)}`;
    const events = await readTopic(Topics.telephonyCall.name, tenant,
      (es) => pendingAtKill.every((p) => es.some((e) => e.type.endsWith('.recording-available.v1') && e.data.storageUri === uriOf(p.file))));
    const recordings = events.filter((e) => e.type.endsWith('.recording-available.v1'));
    const published = pendingAtKill.map((p) => {
      const found = recordings.filter((e) => e.data.storageUri === uriOf(p.file));
      return { file: p.file, count: new Set(found.map((e) => e.id)).size, sha256: found[0]?.data.sha256, subject: found[0]?.subject };
    });
    expect(published).toEqual(pendingAtKill.map((p) => ({ file: p.file, count: 1, sha256: truth.get(p.file)!.recording!.sha256, subject: `${pbxLinkId}:${p.subject}` })));
  });
});
