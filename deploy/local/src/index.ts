export * from './infra';
export * from './kafka-broker';
export * from './postgres';
export * from './process-util';
export * from './run-lock';
export * from './services';
export * from './dev-auth';
