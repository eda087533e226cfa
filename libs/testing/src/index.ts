export * from './infra';
export * from './workers';
