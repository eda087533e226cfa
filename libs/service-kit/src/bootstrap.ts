import 'reflect-metadata';
import { Type } from '@nestjs/common';
import { Pool } from 'pg';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { CommonServiceConfig } from '@switchboard/config';
import type { AuthConfig } from './auth/token-verifier';
import { GrpcProto, RunningGrpcService, startGrpcService } from './grpc-server';
import { createLogger } from './logger';
import { createMetricsRegistry, serveMetrics } from './metrics';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { startTelemetry } from './telemetry';

export interface StandardServiceOptions {
  config: CommonServiceConfig;
  module: Type<unknown>;
  protos: GrpcProto[];
  healthServices?: string[];
  /** Token verification for the gRPC API; see GrpcServiceOptions.auth (deny by default without it). */
  auth?: AuthConfig;
}

export interface StandardService {
  logger: Logger;
  pool: Pool;
  grpc: RunningGrpcService;
  /** The service's Prometheus registry (served on METRICS_PORT): register consumer and adapter metrics here. */
  metrics: Registry;
  stop(): Promise<void>;
}

/** Logger, metrics endpoint, database pool (checked), and the gRPC server with health and reflection. */
export async function startStandardService(o: StandardServiceOptions): Promise<StandardService> {
  const { config } = o;
  // Tracing is always on so context flows through Kafka headers and gRPC metadata; export only when configured.
  const telemetry = startTelemetry({ serviceName: config.serviceName,
    exporter: config.otlpTracesEndpoint ? new OTLPTraceExporter({ url: config.otlpTracesEndpoint }) : undefined });
  const logger = createLogger(config.serviceName, config.logLevel);
  const pool = new Pool({ connectionString: config.databaseUrl, max: 10 });
  await pool.query('select 1').catch((e: Error) => {
    throw new Error(`cannot reach the database at DATABASE_URL (${e.message})`);
  });
  const registry = createMetricsRegistry(config.serviceName);
  const metricsServer = await serveMetrics(registry, config.metricsPort);
  const grpc = await startGrpcService({ module: o.module, port: config.grpcPort, protos: o.protos, healthServices: o.healthServices, logger, auth: o.auth, metrics: registry });
  logger.info({ grpc: grpc.url, metrics: config.metricsPort }, `${config.serviceName} serving`);
  return {
    logger, pool, grpc, metrics: registry,
    stop: async () => {
      await grpc.close();
      await new Promise((r) => metricsServer.close(r));
      await pool.end();
      await telemetry.shutdown();
    },
  };
}
