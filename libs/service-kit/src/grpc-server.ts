import { INestMicroservice, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MicroserviceOptions, Transport } from '@nestjs/microservices';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation } from 'grpc-health-check';
import type { Logger } from 'pino';
import { NestPinoLogger } from './logger';

export interface GrpcProto {
  /** Proto package, e.g. `switchboard.routing.v1`. */
  package: string;
  protoPath: string;
}

export interface GrpcServiceOptions {
  module: Type<unknown>;
  port: number;
  host?: string;
  protos: GrpcProto[];
  /** Fully-qualified service names reported by the health service besides the overall '' entry. */
  healthServices?: string[];
  logger: Logger;
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

/**
 * Starts a Nest gRPC server with the standard health service (NOT_SERVING until listening, SERVING after,
 * NOT_SERVING while shutting down), server reflection (so grpcurl works) and graceful shutdown.
 */
export async function startGrpcService(o: GrpcServiceOptions): Promise<RunningGrpcService> {
  const health = new HealthImplementation({ '': 'NOT_SERVING', ...Object.fromEntries((o.healthServices ?? []).map((s) => [s, 'NOT_SERVING'])) });
  if (o.protos.length === 0) throw new Error('a gRPC service needs at least one proto package of its own');
  // Health is added by grpc-health-check itself; handing its proto to Nest as well would register it twice.
  const protos = o.protos;
  const url = `${o.host ?? '0.0.0.0'}:${o.port}`;
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(o.module, {
    logger: new NestPinoLogger(o.logger),
    transport: Transport.GRPC,
    options: {
      url,
      package: protos.map((p) => p.package),
      protoPath: protos.map((p) => p.protoPath),
      loader: grpcLoaderOptions,
      gracefulShutdown: true,
      onLoadPackageDefinition: (pkg: unknown, server: unknown) => {
        new ReflectionService(pkg as ConstructorParameters<typeof ReflectionService>[0]).addToServer(server as Parameters<ReflectionService['addToServer']>[0]);
        health.addToServer(server as Parameters<HealthImplementation['addToServer']>[0]);
      },
    },
  });
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
