import { Counter, Histogram, Registry } from 'prom-client';

/** The conventional gRPC server metrics (names as in go-grpc-prometheus, so existing dashboards work). */
export interface GrpcServerMetrics {
  handled: Counter<'grpc_service' | 'grpc_method' | 'grpc_code'>;
  handlingSeconds: Histogram<'grpc_service' | 'grpc_method'>;
}

const HANDLED = 'grpc_server_handled_total';
const HANDLING = 'grpc_server_handling_seconds';

/** Registers the metrics on `registry`, or returns the ones already there (one set per registry). */
export function grpcServerMetrics(registry: Registry): GrpcServerMetrics {
  const existing = registry.getSingleMetric(HANDLED);
  if (existing !== undefined) {
    return { handled: existing as GrpcServerMetrics['handled'], handlingSeconds: registry.getSingleMetric(HANDLING) as GrpcServerMetrics['handlingSeconds'] };
  }
  return {
    handled: new Counter({
      name: HANDLED, help: 'RPCs completed on the server, by method and status code',
      labelNames: ['grpc_service', 'grpc_method', 'grpc_code'], registers: [registry],
    }),
    handlingSeconds: new Histogram({
      name: HANDLING, help: 'Time from receiving an RPC to sending its status',
      labelNames: ['grpc_service', 'grpc_method'], registers: [registry],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    }),
  };
}
