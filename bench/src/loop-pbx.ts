/**
 * The routing closed loop's PBX (bench/src/routing.bench.ts): the simulator speaking AMI over TCP, and when each call
 * was queued and when its Redirect was applied, on the PBX's side. In production the PBX is another machine, so by
 * default it runs in a process of its own (this file is also that process's entry point) and its ticks do not delay
 * the gateway's event loop; `inProcessPbx` keeps the former same-event-loop mode for comparison.
 *
 * Timestamps are `Date.now()` (epoch ms) taken where the simulator hands the facts to its AMI server: `CallQueued`
 * (the caller's QueueCallerJoin is written to the gateway's socket in the same turn) and the first `AgentRingStarted`
 * of the call (the simulator applies an accepted Redirect by ringing the agent, in the turn that reads the action, before
 * the reply is written). Both are taken in the simulator's process, on the machine's one wall clock, so they compare with
 * the gateway's timestamps too.
 */
import { fork } from 'node:child_process';
import * as path from 'node:path';
import { startSimulator, type RunningSimulator, type Scenario, type SimFact } from '@switchboard/pbx-simulator';

export interface LoopPbxOptions { scenario: Scenario; seed: number; speed: number; amiSecret: string }
/** Per simulated call: when it was queued and when a Redirect put it to an agent (absent if never), epoch ms. */
export interface PbxCallTimes { queuedAt: number; executedAt?: number }
export interface LoopPbxResult { contacts: number; calls: Record<string, PbxCallTimes> }
export interface LoopPbx {
  readonly amiPort: number;
  readonly mode: 'own process' | 'in process';
  start(): void;
  readonly done: Promise<LoopPbxResult>;
  stop(): Promise<void>;
}

type ToChild = { type: 'start' } | { type: 'stop' };
type FromChild = { type: 'listening'; amiPort: number } | ({ type: 'done' } & LoopPbxResult) | { type: 'failed'; error: string };

/** The PBX's queued / executed instants, taken as the simulator publishes its facts (see the file comment). */
function recordCallTimes(sim: RunningSimulator): Record<string, PbxCallTimes> {
  const calls: Record<string, PbxCallTimes> = {};
  const drain = sim.simulation.drainFacts.bind(sim.simulation);
  sim.simulation.drainFacts = (): SimFact[] => {
    const facts = drain();
    const now = Date.now();
    for (const f of facts) {
      if (f.type === 'CallQueued' && calls[f.callId] === undefined) calls[f.callId] = { queuedAt: now };
      else if (f.type === 'AgentRingStarted' && calls[f.callId] !== undefined && calls[f.callId].executedAt === undefined) calls[f.callId].executedAt = now;
    }
    return facts;
  };
  return calls;
}

async function startLoopSimulator(o: LoopPbxOptions): Promise<{ sim: RunningSimulator; calls: Record<string, PbxCallTimes> }> {
  const sim = await startSimulator({ scenario: o.scenario, seed: o.seed, speed: o.speed, routing: 'external', amiPort: 0, amiSecret: o.amiSecret, autoStart: false });
  return { sim, calls: recordCallTimes(sim) };
}

/** The simulator on this process's event loop (the gateway's, in the bench). */
export async function inProcessPbx(o: LoopPbxOptions): Promise<LoopPbx> {
  const { sim, calls } = await startLoopSimulator(o);
  return {
    amiPort: sim.amiPort!, mode: 'in process', start: () => sim.start(), stop: () => sim.stop(),
    done: sim.done.then(() => ({ contacts: sim.progress().contacts, calls })),
  };
}

/** The simulator in a child process (IPC for control and the call times; AMI over TCP as with a real PBX). */
export async function ownProcessPbx(o: LoopPbxOptions): Promise<LoopPbx> {
  const child = fork(__filename, [], {
    cwd: path.join(__dirname, '..', '..'), execArgv: ['-r', '@swc-node/register'], env: { ...process.env, LOOP_PBX_OPTIONS: JSON.stringify(o) },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const next = <K extends FromChild['type']>(want: K) => new Promise<Extract<FromChild, { type: K }>>((resolve, reject) => {
    const onMessage = (m: FromChild) => {
      if (m.type !== want && m.type !== 'failed') return;
      child.off('message', onMessage);
      if (m.type === 'failed') reject(new Error(`PBX simulator process: ${m.error}`));
      else resolve(m as Extract<FromChild, { type: K }>);
    };
    child.on('message', onMessage);
    void exited.then(() => reject(new Error(`PBX simulator process exited before '${want}'`)));
  });
  const send = (m: ToChild) => child.send(m);
  const listening = await next('listening').catch((e) => { child.kill('SIGKILL'); throw e; });
  const done = next('done').then(({ contacts, calls }) => ({ contacts, calls }));
  done.catch(() => undefined); // awaited by the bench; an early exit surfaces there
  return {
    amiPort: listening.amiPort, mode: 'own process', done,
    start: () => send({ type: 'start' }),
    stop: async () => {
      if (child.exitCode === null && child.connected) send({ type: 'stop' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The child's side: starts the simulator, reports its AMI port, runs on 'start', reports the times when done. */
async function serveAsChild(process: NodeJS.Process & { send: (m: FromChild) => boolean }): Promise<void> {
  const { sim, calls } = await startLoopSimulator(JSON.parse(process.env.LOOP_PBX_OPTIONS!) as LoopPbxOptions);
  process.on('message', (m: ToChild) => {
    if (m.type === 'start') sim.start();
    else void sim.stop().then(() => process.exit(0));
  });
  process.on('disconnect', () => void sim.stop().then(() => process.exit(0)));
  process.send({ type: 'listening', amiPort: sim.amiPort! });
  await sim.done;
  process.send({ type: 'done', contacts: sim.progress().contacts, calls });
}

if (require.main === module) {
  serveAsChild(process as NodeJS.Process & { send: (m: FromChild) => boolean }).catch((e: Error) => {
    process.send?.({ type: 'failed', error: e.stack ?? e.message });
    process.exit(1);
  });
}
