export * from './telemetry';
export * from './trace-headers';
export * from './with-span';
export * from './grpc-server.metrics';
export * from './grpc-server.interceptor';
