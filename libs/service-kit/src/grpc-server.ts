import * as net from 'node:net';
import { INestMicroservice, Type } from '@nestjs/common';
import { NestFactory, Reflector } from '@nestjs/core';
import { MicroserviceOptions, Transport } from '@nestjs/microservices';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation } from 'grpc-health-check';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { GrpcAuthGuard } from './auth/grpc-auth.guard';
import { AuthConfig, createTokenVerifier } from './auth/token-verifier';
import { GrpcExceptionFilter } from './errors/grpc-exception.filter';
import { grpcServerTelemetry } from './telemetry/grpc-server.interceptor';
import { grpcServerMetrics } from './telemetry/grpc-server.metrics';
import { NestPinoLogger } from './logger';

export interface GrpcProto {
  /** Proto package, e.g. `switchboard.routing.v1`. */
  package: string;
  protoPath: string;
  /** Where imports inside the proto resolve from (e.g. the contracts proto root). */
  includeDirs?: string[];
}

export interface GrpcServiceOptions {
  module: Type<unknown>;
  /** 0 picks a free port (see `url`). */
  port: number;
  host?: string;
  protos: GrpcProto[];
  /** Fully-qualified service names reported by the health service besides the overall '' entry. */
  healthServices?: string[];
  logger: Logger;
  /**
   * How callers' bearer tokens are verified. Every method needs a valid token unless marked @Public; without
   * this option the server answers only @Public methods (and health and reflection).
   */
  auth?: AuthConfig;
  /** Registry for the grpc_server_* metrics; none are recorded without it. */
  metrics?: Registry;
}

export interface RunningGrpcService {
  app: INestMicroservice;
  health: HealthImplementation;
  url: string;
  close(): Promise<void>;
}

/**
 * Loader options shared by every server and client; they pair with the ts-proto generation options
 * (camelCase fields, int64 as string, enums as names, defaults filled in).
 */
export const grpcLoaderOptions = { keepCase: false, longs: String, enums: String, defaults: true, oneofs: true, arrays: true };

/** A port free right now on `host`; another process may still take it before we bind (fine for tests and dev). */
function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer().once('error', reject).listen(0, host, () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * Starts a Nest gRPC server with the standard health service (NOT_SERVING until listening, SERVING after,
 * NOT_SERVING while shutting down), server reflection (so grpcurl works), graceful shutdown, bearer-token
 * authentication (GrpcAuthGuard), domain-error mapping (GrpcExceptionFilter), a SERVER span per call and
 * the gRPC server metrics.
 */
export async function startGrpcService(o: GrpcServiceOptions): Promise<RunningGrpcService> {
  const health = new HealthImplementation({ '': 'NOT_SERVING', ...Object.fromEntries((o.healthServices ?? []).map((s) => [s, 'NOT_SERVING'])) });
  if (o.protos.length === 0) throw new Error('a gRPC service needs at least one proto package of its own');
  const verifier = o.auth === undefined ? undefined : await createTokenVerifier(o.auth);
  if (verifier === undefined) o.logger.warn('no token verifier configured: only @Public gRPC methods will answer');
  // Health is added by grpc-health-check itself; handing its proto to Nest as well would register it twice.
  const protos = o.protos;
  const host = o.host ?? '0.0.0.0';
  const url = `${host}:${o.port === 0 ? await freePort(host) : o.port}`;
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(o.module, {
    logger: new NestPinoLogger(o.logger),
    transport: Transport.GRPC,
    options: {
      url,
      package: protos.map((p) => p.package),
      protoPath: protos.map((p) => p.protoPath),
      loader: { ...grpcLoaderOptions, includeDirs: [...new Set(protos.flatMap((p) => p.includeDirs ?? []))] },
      gracefulShutdown: true,
      // Below Nest, so rejected and unimplemented calls are traced and counted too.
      channelOptions: { interceptors: [grpcServerTelemetry(o.metrics === undefined ? undefined : grpcServerMetrics(o.metrics))] },
      onLoadPackageDefinition: (pkg: unknown, server: unknown) => {
        new ReflectionService(pkg as ConstructorParameters<typeof ReflectionService>[0]).addToServer(server as Parameters<ReflectionService['addToServer']>[0]);
        health.addToServer(server as Parameters<HealthImplementation['addToServer']>[0]);
      },
    },
  });
  app.useGlobalGuards(new GrpcAuthGuard(new Reflector(), verifier));
  app.useGlobalFilters(new GrpcExceptionFilter(o.logger));
  try {
    await app.listen();
  } catch (e) {
    const message = (e as Error).message ?? String(e);
    throw new Error(/EADDRINUSE|No address added/.test(message) ? `gRPC port ${o.port} is already in use (set GRPC_PORT)` : message);
  }
  const setAll = (status: 'SERVING' | 'NOT_SERVING') => ['', ...(o.healthServices ?? [])].forEach((s) => health.setStatus(s, status));
  setAll('SERVING');
  return {
    app, health, url,
    close: async () => {
      setAll('NOT_SERVING');
      await app.close();
    },
  };
}
