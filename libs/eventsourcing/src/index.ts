export * from './command-handler';
export * from './consumer-runner';
export * from './dead-letter';
export * from './event-store';
export * from './kafka';
export * from './outbox-relay';
export * from './schema';
export * from './transaction';
