import { promises as fs } from 'node:fs';
import { AmiEventRenderer } from '../ami/ami-event-renderer';
import { AmiServer } from '../ami/ami-server';
import { CallCenterSimulation, type RoutingMode } from '../domain/call-center.simulation';
import { GroundTruthRecorder, type GroundTruthRecord } from '../domain/ground-truth';
import { createRng } from '../domain/prng';
import { validateScenario, type Scenario } from '../domain/scenario';
import { EslEventRenderer } from '../esl/esl-event-renderer';
import { EslServer } from '../esl/esl-server';
import { RecordingWriter } from './recording-writer';

/** Documented test defaults; pass real credentials through the options or CLI flags. */
export const DEFAULT_AMI_CREDENTIALS = { username: 'switchboard', secret: 'switchboard' } as const;
export const DEFAULT_ESL_PASSWORD = 'ClueCon';

export interface SimulatorOptions {
  readonly scenario: Scenario | string;
  readonly seed: number;
  /** Simulated seconds per wall-clock second (1 = real time, 60 = a day in 24 min), or 'max' for as fast as possible. */
  readonly speed: number | 'max';
  /** TCP port for AMI (0 = ephemeral); null or absent = no AMI server. */
  readonly amiPort?: number | null;
  readonly eslPort?: number | null;
  readonly host?: string;
  readonly routing?: RoutingMode;
  readonly amiUsername?: string;
  readonly amiSecret?: string;
  readonly amiVersion?: string;
  readonly eslPassword?: string;
  readonly failedLoginDelayMs?: number;
  readonly groundTruthPath?: string;
  /**
   * Record every answered call: small WAV files written here, AMI MixMonitor / event-socket RECORD_* events naming
   * them, and the ground truth's `recording` (path, hash, length). Absent = nothing is recorded.
   */
  readonly recordingsDir?: string;
  /** The directory as the PBX names it in its events (default: recordingsDir), e.g. `/var/spool/asterisk/monitor`. */
  readonly recordingsReportedDir?: string;
  /** Default true. With false, nothing happens until `start()`, so clients can connect first. */
  readonly autoStart?: boolean;
  /** Pause the simulation while a client has more than this queued (maximum speed only). */
  readonly maxBufferedBytes?: number;
  readonly onProgress?: (progress: SimulatorProgress) => void;
  readonly progressIntervalMs?: number;
}

export interface SimulatorProgress {
  readonly simulatedTime: string;
  readonly facts: number;
  readonly amiBytes: number;
  readonly amiClients: number;
  readonly eslClients: number;
  readonly contacts: number;
  readonly finished: boolean;
}

export interface SimulatorSummary {
  readonly facts: number;
  readonly contacts: number;
  readonly amiBytes: number;
  readonly simulatedStartMs: number;
  readonly simulatedEndMs: number;
  readonly wallMs: number;
}

export interface RunningSimulator {
  readonly amiPort: number | null;
  readonly eslPort: number | null;
  readonly simulation: CallCenterSimulation;
  start(): void;
  /** Steps the simulation to a simulated instant and publishes what happened (for tests and tooling; before start()). */
  advanceTo(simulatedMs: number): void;
  readonly done: Promise<SimulatorSummary>;
  groundTruth(): readonly GroundTruthRecord[];
  progress(): SimulatorProgress;
  stop(): Promise<void>;
}

export async function loadScenario(source: Scenario | string): Promise<Scenario> {
  const scenario = typeof source === 'string' ? (JSON.parse(await fs.readFile(source, 'utf8')) as Scenario) : source;
  const problems = validateScenario(scenario);
  if (problems.length > 0) throw new Error(`Invalid scenario ${scenario.name}: ${problems.join('; ')}`);
  return scenario;
}

export async function startSimulator(options: SimulatorOptions): Promise<RunningSimulator> {
  const scenario = await loadScenario(options.scenario);
  const routing = options.routing ?? 'internal';
  const simulation = new CallCenterSimulation(scenario, createRng(options.seed), routing);
  const records: GroundTruthRecord[] = [{ kind: 'run', scenario: scenario.name, seed: options.seed, routing, startMs: simulation.startMs, endMs: simulation.endMs, ringCycleSeconds: scenario.ringCycleSeconds }];
  const reportedDir = options.recordingsReportedDir ?? options.recordingsDir ?? null;
  const recordings = options.recordingsDir === undefined ? null : new RecordingWriter(options.recordingsDir, reportedDir!);
  const recorder = new GroundTruthRecorder(scenario.ringCycleSeconds, (r) => records.push(r.kind === 'contact' && recordings !== null ? { ...r, recording: recordings.truthOf(r.contactId) } : r));
  const amiRenderer = new AmiEventRenderer(scenario, reportedDir);
  const eslRenderer = new EslEventRenderer(scenario, reportedDir);
  const host = options.host ?? '127.0.0.1';

  const ami = options.amiPort === undefined || options.amiPort === null ? null : new AmiServer(
    {
      host, port: options.amiPort, username: options.amiUsername ?? DEFAULT_AMI_CREDENTIALS.username, secret: options.amiSecret ?? DEFAULT_AMI_CREDENTIALS.secret,
      version: options.amiVersion ?? '11.0.0', failedLoginDelayMs: options.failedLoginDelayMs ?? 1000,
    },
    {
      nowMs: () => simulation.now,
      uptimeSeconds: () => Math.floor((simulation.now - simulation.startMs) / 1000),
      queueStatusItems: (id) => amiRenderer.queueStatusItems(id, simulation.now),
      coreShowChannelItems: (id) => amiRenderer.coreShowChannelItems(id, simulation.now),
      statusItems: (id) => amiRenderer.statusItems(id, simulation.now),
      routeCall: (channel, agentId) => {
        const callId = amiRenderer.callIdOfChannel(channel);
        if (!callId) return { ok: false, reason: 'No such channel' };
        const result = simulation.routeCall(callId, agentId);
        publish();
        return result;
      },
    },
  );
  const esl = options.eslPort === undefined || options.eslPort === null ? null : new EslServer(
    { host, port: options.eslPort, password: options.eslPassword ?? DEFAULT_ESL_PASSWORD },
    {
      agentListing: () => eslRenderer.agentListing(),
      tierListing: () => eslRenderer.tierListing(),
      transfer: (sessionUuid, extension) => {
        const callId = eslRenderer.callIdOfSession(sessionUuid);
        if (!callId) return { ok: false, reason: 'No such channel!' };
        const result = simulation.routeCall(callId, extension);
        publish();
        return result;
      },
    },
  );
  const amiPort = ami ? await ami.listen() : null;
  const eslPort = esl ? await esl.listen() : null;

  let facts = 0;
  let amiBytes = 0;
  let contacts = 0;
  let stopped = false;
  const wallStart = { ms: 0 };

  function publish(): void {
    const batch = simulation.drainFacts();
    if (batch.length === 0) return;
    facts += batch.length;
    for (const fact of batch) {
      recordings?.observe(fact);
      recorder.record(fact);
    }
    const amiFrames = amiRenderer.render(batch);
    amiBytes += amiFrames.length;
    ami?.broadcast(amiFrames);
    if (esl && esl.listenerCount() > 0) esl.broadcast(eslRenderer.render(batch));
    else eslRenderer.render(batch);
  }

  const progress = (): SimulatorProgress => {
    contacts = records.reduce((n, r) => (r.kind === 'contact' ? n + 1 : n), 0);
    return {
      simulatedTime: new Date(simulation.now).toISOString(), facts, amiBytes, amiClients: ami?.listenerCount() ?? 0,
      eslClients: esl?.listenerCount() ?? 0, contacts, finished: simulation.isFinished(),
    };
  };

  const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
  const yieldToSockets = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
  const maxBuffered = options.maxBufferedBytes ?? 4 * 1024 * 1024;

  async function runLoop(): Promise<SimulatorSummary> {
    wallStart.ms = Date.now();
    let lastProgress = wallStart.ms;
    while (!stopped && !simulation.isFinished()) {
      if (options.speed === 'max') {
        simulation.advanceTo(Infinity, 2000);
        publish();
        while (!stopped && Math.max(ami?.maxBufferedBytes() ?? 0, esl?.maxBufferedBytes() ?? 0) > maxBuffered) await sleep(1);
        await yieldToSockets();
      } else {
        simulation.advanceTo(simulation.startMs + (Date.now() - wallStart.ms) * options.speed);
        publish();
        await sleep(Math.max(1, Math.min(50, (simulation.nextEventAt() - simulation.now) / options.speed)));
      }
      if (options.onProgress && Date.now() - lastProgress >= (options.progressIntervalMs ?? 1000)) {
        lastProgress = Date.now();
        options.onProgress(progress());
      }
    }
    publish();
    recorder.finish(simulation.now);
    await recordings?.flushed();
    if (options.groundTruthPath) await fs.writeFile(options.groundTruthPath, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
    options.onProgress?.(progress());
    return { facts, contacts: progress().contacts, amiBytes, simulatedStartMs: simulation.startMs, simulatedEndMs: simulation.now, wallMs: Date.now() - wallStart.ms };
  }

  let startLoop: () => void = () => undefined;
  const started = new Promise<void>((resolve) => (startLoop = resolve));
  const done = started.then(runLoop);
  if (options.autoStart !== false) startLoop();

  return {
    amiPort,
    eslPort,
    simulation,
    start: () => startLoop(),
    advanceTo: (simulatedMs) => {
      simulation.advanceTo(simulatedMs);
      publish();
    },
    done,
    groundTruth: () => records,
    progress,
    stop: async () => {
      stopped = true;
      startLoop();
      await done.catch(() => undefined);
      await Promise.all([ami?.close(), esl?.close()]);
    },
  };
}
