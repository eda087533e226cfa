import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, SimpleSpanProcessor, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

export interface TelemetryOptions {
  serviceName: string;
  /** Where finished spans go. Without one, spans still carry ids (logs, propagation) but are not exported. */
  exporter?: SpanExporter;
  /** Export each span as it ends instead of in batches: for tests and in-memory exporters. */
  exportImmediately?: boolean;
}

export interface Telemetry {
  provider: NodeTracerProvider;
  /** Flushes pending spans, then unregisters the global tracer, propagator and context manager. */
  shutdown(): Promise<void>;
}

/**
 * Registers the process-wide tracer provider with W3C trace-context and baggage propagation and an
 * AsyncLocalStorage context manager. Call once, first thing in main.ts, before the servers start.
 */
export function startTelemetry(o: TelemetryOptions): Telemetry {
  const processor = o.exporter === undefined ? [] : [o.exportImmediately ? new SimpleSpanProcessor(o.exporter) : new BatchSpanProcessor(o.exporter)];
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: o.serviceName }),
    spanProcessors: processor,
  });
  provider.register({
    contextManager: new AsyncLocalStorageContextManager(),
    propagator: new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
  });
  return {
    provider,
    shutdown: async () => {
      await provider.shutdown();
      trace.disable();
      propagation.disable();
      context.disable();
    },
  };
}
