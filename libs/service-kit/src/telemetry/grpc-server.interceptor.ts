import { Metadata, ServerInterceptingCall, ServerInterceptor, status as Status } from '@grpc/grpc-js';
import { Context, context, ROOT_CONTEXT, Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { extractTraceContext } from './trace-headers';
import { TRACER_NAME } from './with-span';
import type { GrpcServerMetrics } from './grpc-server.metrics';

// Probes and tooling calls are counted but not traced: they would drown the traces that matter.
const UNTRACED = /^\/grpc\.(health|reflection)\./;
// OTel RPC conventions: only these codes are the server's fault; the rest describe the request.
const SERVER_FAULTS = new Set<number>([Status.UNKNOWN, Status.DEADLINE_EXCEEDED, Status.UNIMPLEMENTED, Status.INTERNAL, Status.UNAVAILABLE, Status.DATA_LOSS]);

export function splitMethodPath(path: string): { service: string; method: string } {
  const [, service = 'unknown', method = 'unknown'] = /^\/([^/]+)\/([^/]+)$/.exec(path) ?? [];
  return { service, method };
}

function startServerSpan(path: string, metadata: Metadata): { span: Span; ctx: Context } {
  const { service, method } = splitMethodPath(path);
  const parent = extractTraceContext(metadata.getMap(), ROOT_CONTEXT);
  const span = trace.getTracer(TRACER_NAME).startSpan(`${service}/${method}`, {
    kind: SpanKind.SERVER,
    attributes: { 'rpc.system': 'grpc', 'rpc.service': service, 'rpc.method': method },
  }, parent);
  return { span, ctx: trace.setSpan(parent, span) };
}

/**
 * A grpc-js server interceptor (it sits below Nest, so it also sees calls the auth guard rejects): one SERVER
 * span per call continuing the caller's `traceparent`, active while the handler runs, plus the handled-count
 * and latency metrics.
 */
export function grpcServerTelemetry(metrics: GrpcServerMetrics | undefined): ServerInterceptor {
  return (descriptor, call) => {
    const { service, method } = splitMethodPath(descriptor.path);
    const started = process.hrtime.bigint();
    let ctx = context.active();
    let span: Span | undefined;
    let finished = false;
    const finish = (code: number, message?: string) => {
      if (finished) return;
      finished = true;
      metrics?.handled.inc({ grpc_service: service, grpc_method: method, grpc_code: Status[code] ?? String(code) });
      metrics?.handlingSeconds.observe({ grpc_service: service, grpc_method: method }, Number(process.hrtime.bigint() - started) / 1e9);
      span?.setAttribute('rpc.grpc.status_code', code);
      if (SERVER_FAULTS.has(code)) span?.setStatus({ code: SpanStatusCode.ERROR, message });
      span?.end();
    };
    return new ServerInterceptingCall(call, {
      start: (next) => next({
        onReceiveMetadata: (metadata, nextMetadata) => {
          if (!UNTRACED.test(descriptor.path)) ({ span, ctx } = startServerSpan(descriptor.path, metadata));
          // grpc-js calls the handler synchronously from here (streaming requests) or from half-close (unary).
          context.with(ctx, () => nextMetadata(metadata));
        },
        onReceiveMessage: (message, nextMessage) => context.with(ctx, () => nextMessage(message)),
        onReceiveHalfClose: (nextHalfClose) => context.with(ctx, nextHalfClose),
        onCancel: () => finish(Status.CANCELLED, 'cancelled by the client'),
      }),
      sendStatus: (status, nextStatus) => {
        finish(status.code, status.details);
        nextStatus(status);
      },
    });
  };
}
