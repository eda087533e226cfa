/**
 * The PBX side of the frame → wallboard freshness benchmark (reporting-pbx-freshness.ts): the PBX simulator paced at
 * `rate` AMI frames/s into a telephony gateway runtime (startGateway, as the gateway benchmark starts it), reporting
 * when each answered call's frames were written to the AMI socket. Runs in the benchmark's process or, as a forked
 * child (`node -r @swc-node/register reporting-pbx-source.ts '<config json>'`), in its own, as the gateway runs in
 * production; the parent and child share the machine's clock.
 */
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { createKafka } from '@switchboard/eventsourcing';
import { CallCenterSimulation, createRng, loadScenario, startSimulator, type SimFact } from '@switchboard/pbx-simulator';
import { AmiEventRenderer } from '@switchboard/pbx-simulator/src/ami/ami-event-renderer';
import { startGateway } from '@switchboard/telephony-gateway';
import { logLevel } from 'kafkajs';
import { Pool } from 'pg';

export interface PbxSourceConfig {
  readonly gatewayDatabaseUrl: string;
  readonly kafkaBrokers: readonly string[];
  readonly topicOverrides: Record<string, string>;
  readonly scenario: string;
  /** AMI frames per second the simulator writes. */
  readonly rate: number;
  /** Paced but not reported: logins, first calls, the projections and clock settling. */
  readonly warmupSeconds: number;
  readonly seconds: number;
  readonly suffix: string;
  readonly relayProducerInWorker: boolean;
}

export interface PbxSourceSummary {
  readonly sendSeconds: number;
  readonly framesWritten: number;
  readonly framesCommitted: number;
  readonly canonicalCommitted: number;
  readonly bytesWritten: number;
  readonly answersWritten: number;
  /** Queue visits ended (answered, abandoned, timed out) after the warm-up. */
  readonly queueLeavesWritten: number;
}

/** [agent id, wall ms the answer's frames were written] */
export type WrittenAnswer = [string, number];
/**
 * [queue, wall ms the frames were written, after the warm-up]: a caller left the queue (QueueCallerLeave on an
 * answer, QueueCallerAbandon + QueueCallerLeave on an abandon or a timeout). Warm-up ones too, so the receiver can
 * number every leave of a queue from the start of the day.
 */
export type WrittenQueueLeave = [string, number, boolean];
/** What one pacing tick wrote. */
export interface Written {
  readonly answers: WrittenAnswer[];
  readonly queueLeaves: WrittenQueueLeave[];
}

const leftQueue = (f: SimFact): f is Extract<SimFact, { type: 'CallAnswered' | 'CallLeftQueueUnanswered' }> =>
  f.type === 'CallAnswered' || f.type === 'CallLeftQueueUnanswered';

/** Simulated time per simulator step; a step's frames leave together. */
const STEP_SIM_MS = 50;
const TICK_MS = 10;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** AMI frames end with an empty line. */
const countFrames = (text: string): number => text.split('\r\n\r\n').length - 1;

/**
 * Starts the simulator and the gateway, waits for `go`, paces the simulator for warm-up + `seconds`, calls `onWritten`
 * with the answers written after the warm-up and every queue leave, then keeps the gateway running until `stop`
 * resolves. Which frames a step wrote comes from a twin simulation (same scenario and seed: deterministic) rendered by
 * a twin AMI renderer, so the pacing is open loop: the pipeline's progress never feeds back into the rate.
 */
export async function runPbxSource(c: PbxSourceConfig, onWritten: (written: Written) => void, go: Promise<void>, stop: Promise<void>,
  onSummary: (s: PbxSourceSummary) => void): Promise<void> {
  const pool = new Pool({ connectionString: c.gatewayDatabaseUrl, max: 6 });
  const kafka = createKafka(`reporting-pbx-source-${c.suffix}`, [...c.kafkaBrokers], { logLevel: logLevel.NOTHING });
  const scenario = await loadScenario(path.join(__dirname, '..', '..', 'tools', 'pbx-simulator', 'scenarios', `${c.scenario}.json`));
  const amiSecret = randomBytes(8).toString('hex');
  const sim = await startSimulator({ scenario, seed: 1, speed: 'max', amiPort: 0, amiSecret, autoStart: false });
  const twin = new CallCenterSimulation(scenario, createRng(1), 'internal');
  const twinAmi = new AmiEventRenderer(scenario);
  const gw = await startGateway({ pool, kafka, topicOverrides: c.topicOverrides, relayName: `bench-pbxf-${c.suffix}`, relayProducerInWorker: c.relayProducerInWorker,
    settings: { tenant: 'bench', site: 'hq', callerHashKey: randomBytes(32).toString('hex'), executeRoutingDecisions: false,
      ami: { pbxLinkId: `bench-pbxf-${c.suffix}`, host: '127.0.0.1', port: sim.amiPort!, username: 'switchboard', secret: amiSecret, keepaliveMs: 15_000, ringCycleMs: 5000, defaultDialedNumber: '0' } } });
  try {
    while (gw.links[0].status().state !== 'up' || sim.progress().amiClients === 0) await sleep(20);
    await go;
    let simAt = twin.now;
    let framesWritten = 0;
    const started = Date.now();
    const measureFrom = started + c.warmupSeconds * 1000;
    const until = measureFrom + c.seconds * 1000;
    const measured = { frames: 0, bytes: 0, answers: 0, queueLeaves: 0, framesCommitted: 0, canonicalCommitted: 0, started: false };
    while (Date.now() < until && !twin.isFinished()) {
      const due = ((Date.now() - started) / 1000) * c.rate;
      const answers: WrittenAnswer[] = [];
      const queueLeaves: WrittenQueueLeave[] = [];
      while (framesWritten < due && !twin.isFinished()) {
        simAt += STEP_SIM_MS;
        const bytesBefore = sim.progress().amiBytes;
        sim.advanceTo(simAt);
        const writtenAt = Date.now();
        twin.advanceTo(simAt);
        const facts: SimFact[] = twin.drainFacts();
        const frames = countFrames(twinAmi.render(facts));
        framesWritten += frames;
        for (const f of facts) if (leftQueue(f)) queueLeaves.push([f.queue, writtenAt, writtenAt >= measureFrom]);
        if (writtenAt < measureFrom) continue;
        if (!measured.started) {
          measured.started = true;
          measured.framesCommitted = gw.links[0].status().framesCommitted;
          measured.canonicalCommitted = gw.links[0].status().canonicalCommitted;
        }
        measured.frames += frames;
        measured.bytes += sim.progress().amiBytes - bytesBefore;
        for (const f of facts) if (f.type === 'CallAnswered') answers.push([f.agentId, writtenAt]);
      }
      measured.answers += answers.length;
      measured.queueLeaves += queueLeaves.filter(([, , m]) => m).length;
      if (answers.length > 0 || queueLeaves.length > 0) onWritten({ answers, queueLeaves });
      await sleep(TICK_MS);
    }
    const sendSeconds = (Date.now() - measureFrom) / 1000;
    const status = gw.links[0].status();
    onSummary({ sendSeconds, framesWritten: measured.frames, bytesWritten: measured.bytes, answersWritten: measured.answers, queueLeavesWritten: measured.queueLeaves,
      framesCommitted: status.framesCommitted - measured.framesCommitted, canonicalCommitted: status.canonicalCommitted - measured.canonicalCommitted });
    await stop;
  } finally {
    await gw.stop();
    await sim.stop();
    await pool.end();
  }
}

type ParentMessage = { type: 'go' } | { type: 'stop' };
export type ChildMessage = { type: 'written'; written: Written } | { type: 'summary'; summary: PbxSourceSummary };

if (require.main === module) {
  const config = JSON.parse(process.argv[2]) as PbxSourceConfig;
  const send = (m: ChildMessage) => process.send!(m);
  let go: () => void = () => undefined;
  let stop: () => void = () => undefined;
  const goes = new Promise<void>((r) => (go = r));
  const stops = new Promise<void>((r) => (stop = r));
  process.on('message', (m: ParentMessage) => (m.type === 'go' ? go() : stop()));
  process.on('disconnect', () => process.exit(2)); // the benchmark is gone: nothing to report to
  runPbxSource(config, (written) => send({ type: 'written', written }), goes, stops, (summary) => send({ type: 'summary', summary }))
    .then(() => process.exit(0), (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
      process.exit(1);
    });
}
