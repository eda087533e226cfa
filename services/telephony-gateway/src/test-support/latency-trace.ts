// Latency tracing for the gateway's side of the routing closed loop (bench GATEWAY_TRACE_FILE=path): one JSON line per
// link-pipeline batch write (with the caller joins it carries), outbox notification, relay read and send (with the
// call keys it carries), assignment-consumer fetch and batch, AMI action round trip, settlement, slow Postgres query,
// GC pause and event-loop stall, each with its wall time. Installed by patching prototypes in the process that runs
// the gateway; for finding where the loop's tail comes from (ADR 0016), not used in production.
import * as fs from 'node:fs';
import { monitorEventLoopDelay, performance, PerformanceObserver } from 'node:perf_hooks';
import type { EachBatchPayload, Kafka } from 'kafkajs';
import { Client } from 'pg';
import { OutboxRelay } from '@switchboard/eventsourcing';
import { LinkPipeline } from '../publishing/link-pipeline';
import { AmiConnection } from '../ami/infrastructure/ami-connection';

type Fn = (...args: never[]) => unknown;
type Log = (kind: string, data: Record<string, unknown>) => void;

/** Replaces `proto[name]` by a wrapper that logs how long the (async) call took; returns an undo. */
function timeMethod(proto: object, name: string, log: Log, detail: (self: unknown, args: unknown[], ms: number) => Record<string, unknown> | null): () => void {
  const target = proto as Record<string, Fn>;
  const original = target[name];
  target[name] = function (this: unknown, ...args: never[]) {
    const started = Date.now();
    const out = original.apply(this, args) as Promise<unknown>;
    const done = () => { const d = detail(this, args, Date.now() - started); if (d !== null) log(name, { started, ms: Date.now() - started, ...d }); };
    if (out instanceof Promise) void out.then(done, done);
    return out;
  } as Fn;
  return () => { target[name] = original; };
}

export function startGatewayLatencyTrace(file: string) {
  const fd = fs.openSync(file, 'w');
  let buffer: string[] = [];
  const log: Log = (kind, data) => buffer.push(JSON.stringify({ t: Date.now(), kind, ...data }));
  const flush = () => { if (buffer.length) { fs.writeSync(fd, buffer.join('\n') + '\n'); buffer = []; } };
  const timers = [setInterval(flush, 100)];
  let expected = Date.now() + 5;
  timers.push(setInterval(() => { const late = Date.now() - expected; if (late > 20) log('loop-stall', { lateMs: late }); expected = Date.now() + 5; }, 5));
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  histogram.enable();
  timers.push(setInterval(() => { log('loop-delay', { p99Ms: histogram.percentile(99) / 1e6, maxMs: histogram.max / 1e6 }); histogram.reset(); }, 1000));
  timers.forEach((t) => t.unref());
  const gc = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (e.duration > 5) log('gc', { at: Math.round(performance.timeOrigin + e.startTime), ms: Math.round(e.duration) });
  });
  gc.observe({ entryTypes: ['gc'] });

  const undo: (() => void)[] = [];
  const query = Client.prototype.query as unknown as Fn;
  (Client.prototype as unknown as { query: Fn }).query = function (this: Client, ...args: never[]) {
    const started = Date.now();
    const out = query.apply(this, args) as unknown;
    const text = typeof args[0] === 'string' ? (args[0] as string) : (args[0] as { text?: string } | undefined)?.text ?? '';
    if (out instanceof Promise) {
      void out.then(() => {
        const ms = Date.now() - started;
        if (ms > 5) log('pg', { ms, started, q: text.replace(/\s+/g, ' ').slice(0, 60) });
      }, () => undefined);
    }
    return out;
  } as Fn;
  undo.push(() => { (Client.prototype as unknown as { query: Fn }).query = query; });

  // Pipeline writes: the caller joins (QueueCallerJoin) each batch carries, with their age when the write started.
  undo.push(timeMethod(LinkPipeline.prototype, 'writeWithRetry', log, (_self, [p], ms) => {
    const batch = p as { outbox: unknown[]; channels: { callId: string; joinedAtMs: number }[]; executions: unknown[] };
    const started = Date.now() - ms;
    return { rows: batch.outbox.length, settlements: batch.executions.length, joins: batch.channels.map((c) => [c.callId, started - c.joinedAtMs]) };
  }));
  undo.push(timeMethod(LinkPipeline.prototype, 'settle', log, () => ({})));
  undo.push(timeMethod(AmiConnection.prototype, 'send', log, (_self, [action]) => ({ action: (action as [string, string][])[0][1] })));
  // The relay: each read and each send, with the keys of the call topic's records it carries.
  undo.push(timeMethod(OutboxRelay.prototype, 'nextRows', log, (_self, _args, ms) => ({ ms })));
  undo.push(timeMethod(OutboxRelay.prototype, 'send', log, (_self, [rows]) => {
    const rs = rows as { topic: string; message_key: string }[];
    return { rows: rs.length, keys: rs.filter((r) => !r.topic.includes('raw')).map((r) => r.message_key) };
  }));
  const start = OutboxRelay.prototype.start;
  OutboxRelay.prototype.start = async function (this: OutboxRelay) {
    await start.call(this);
    (this as unknown as { listener: { on(e: string, f: () => void): void } }).listener.on('notification', () => log('notify', {}));
  };
  undo.push(() => { OutboxRelay.prototype.start = start; });

  return {
    /** Traces the fetches and batches of the consumers this client makes (the assignment consumer). */
    kafka(kafka: Kafka): Kafka {
      const consumer = kafka.consumer.bind(kafka);
      kafka.consumer = (config) => {
        const c = consumer(config);
        c.on(c.events.FETCH, ({ payload }) => log('fetch', { group: config.groupId.slice(0, 20), ms: payload.duration, n: payload.numberOfBatches }));
        const run = c.run.bind(c);
        c.run = (o) => run(o?.eachBatch ? {
          ...o, eachBatch: async (p: EachBatchPayload) => {
            const now = Date.now();
            const ages = p.batch.messages.map((m) => now - Number(m.timestamp));
            log('batch', { partition: p.batch.partition, n: ages.length, maxAgeMs: Math.max(0, ...ages), ids: p.batch.messages.map((m) => m.key?.toString()) });
            await o.eachBatch!(p);
            log('batch-done', { partition: p.batch.partition, ms: Date.now() - now });
          },
        } : o);
        return c;
      };
      return kafka;
    },
    stop(): void {
      flush();
      timers.forEach(clearInterval);
      histogram.disable();
      gc.disconnect();
      undo.forEach((u) => u());
      fs.closeSync(fd);
    },
  };
}
