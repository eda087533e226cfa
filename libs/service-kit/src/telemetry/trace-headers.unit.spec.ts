import { Writable } from 'node:stream';
import { context, SpanKind, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { createLogger } from '../logger';
import { extractTraceContext, injectTraceHeaders, MessageHeaders } from './trace-headers';
import { startTelemetry, Telemetry } from './telemetry';
import { withSpan } from './with-span';

const exporter = new InMemorySpanExporter();
let telemetry: Telemetry;
beforeAll(() => { telemetry = startTelemetry({ serviceName: 'unit', exporter, exportImmediately: true }); });
afterEach(() => exporter.reset());
afterAll(() => telemetry.shutdown());

const finished = (name: string) => exporter.getFinishedSpans().find((s) => s.name === name)!;

describe('When a producer span injects its context into message headers', () => {
  it('should let the consumer span continue the same trace, as a child of the producer span', async () => {
    const headers: MessageHeaders = { 'event-type': 'CallQueued' };
    await withSpan('send telephony.call.events.v1', SpanKind.PRODUCER, { 'messaging.system': 'kafka' }, () => injectTraceHeaders(headers));
    // On the wire and back, kafkajs hands header values over as Buffers.
    const consumed = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Buffer.from(String(v))]));
    await withSpan('process telephony.call.events.v1', SpanKind.CONSUMER, {}, () => undefined, extractTraceContext(consumed));

    const producer = finished('send telephony.call.events.v1');
    const consumer = finished('process telephony.call.events.v1');
    expect(headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(consumer.spanContext().traceId).toBe(producer.spanContext().traceId);
    expect(consumer.parentSpanContext?.spanId).toBe(producer.spanContext().spanId);
    expect(consumer.kind).toBe(SpanKind.CONSUMER);
  });

  it('should start a new trace when the message carries no trace headers', async () => {
    await withSpan('outer', SpanKind.INTERNAL, {}, () =>
      withSpan('process untraced', SpanKind.CONSUMER, {}, () => undefined, extractTraceContext({ other: [Buffer.from('x')] })));
    expect(finished('process untraced').parentSpanContext).toBeUndefined();
    expect(finished('process untraced').spanContext().traceId).not.toBe(finished('outer').spanContext().traceId);
  });

  it('should read trace headers whatever their case or multiplicity', async () => {
    const headers = injectTraceHeaders<MessageHeaders>({}, trace.setSpan(context.active(), trace.getTracer('t').startSpan('p')));
    const shouted: MessageHeaders = { TraceParent: [Buffer.from(String(headers.traceparent))] };
    expect(trace.getSpanContext(extractTraceContext(shouted))?.traceId).toBe(String(headers.traceparent).split('-')[1]);
  });
});

describe('withSpan', () => {
  it('should record a thrown error on the span and rethrow it', async () => {
    await expect(withSpan('failing', SpanKind.INTERNAL, { step: 'x' }, () => { throw new Error('nope'); })).rejects.toThrow('nope');
    expect(finished('failing').status).toMatchObject({ code: 2, message: 'nope' });
    expect(finished('failing').attributes).toEqual({ step: 'x' });
  });
});

describe('When logging inside a span', () => {
  it('should add the trace and span ids to the JSON line', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } });
    const logger = createLogger('unit', 'info', sink);
    logger.info('outside');
    const ids = await withSpan('logging', SpanKind.INTERNAL, {}, (span) => { logger.info('inside'); return span.spanContext(); });
    const [outside, inside] = lines.map((l) => JSON.parse(l));
    expect(outside).not.toHaveProperty('trace_id');
    expect(inside).toMatchObject({ msg: 'inside', service: 'unit', trace_id: ids.traceId, span_id: ids.spanId });
  });
});
