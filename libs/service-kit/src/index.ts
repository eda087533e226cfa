export * from './grpc-server';
export * from './logger';
export * from './metrics';
export * from './run-service';
export * from './bootstrap';
export * from './health-client';
