import { join } from 'node:path';

/**
 * Where each service's .proto lives and which package it declares, for @grpc/proto-loader and Nest's GrpcOptions.
 * Typed stubs (ts-proto, NestJS flavour) are generated into `src/generated/switchboard/<svc>/v1/` and imported by
 * path, e.g. `@switchboard/contracts/src/generated/switchboard/routing/v1/routing_service`.
 */
export const PROTO_ROOT = join(__dirname, '..', '..', 'proto');

const services = {
  'telephony-gateway': 'telephony_gateway',
  routing: 'routing',
  qa: 'qa',
  hr: 'hr',
  training: 'training',
  reporting: 'reporting',
} as const;

/** Service names as in `services/<name>/`. */
export type GrpcServiceName = keyof typeof services;
export const grpcServiceNames = Object.keys(services) as GrpcServiceName[];

/** Absolute path of the service's .proto file. */
export function protoPath(service: GrpcServiceName): string {
  const dir = services[service];
  return join(PROTO_ROOT, 'switchboard', dir, 'v1', `${dir}_service.proto`);
}

/** Protobuf package, e.g. `switchboard.routing.v1`. */
export function protoPackage(service: GrpcServiceName): string {
  return `switchboard.${services[service]}.v1`;
}

/** Fully-qualified gRPC service name, e.g. `switchboard.routing.v1.RoutingService`. */
export function grpcServiceName(service: GrpcServiceName): string {
  const pascal = services[service].split('_').map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
  return `${protoPackage(service)}.${pascal}Service`;
}

/**
 * proto-loader options paired with the ts-proto options in buf.gen.yaml; change both together (ADR-contracts.md).
 * keepCase:false ↔ snakeToCamel · longs:String ↔ forceLong=string · enums:String ↔ stringEnums ·
 * defaults:true ↔ useOptionals=none · oneofs:true ↔ oneof=properties.
 */
export interface ProtoLoaderOptions {
  keepCase: boolean;
  longs: StringConstructor;
  enums: StringConstructor;
  defaults: boolean;
  oneofs: boolean;
  includeDirs: string[];
}

export const protoLoaderOptions: ProtoLoaderOptions = {
  keepCase: false,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: [PROTO_ROOT],
};

/** Everything Nest's `Transport.GRPC` options need for one service. */
export function grpcOptionsFor(service: GrpcServiceName) {
  return { package: protoPackage(service), protoPath: protoPath(service), loader: protoLoaderOptions };
}
