// The gateway as a library (end-to-end tests, benchmarks): importing this starts nothing. The service itself starts from main.ts.
export { startGateway, ensureTopics, type GatewayRuntime } from './gateway-runtime';
export type { AmiLinkConfig, GatewaySettings } from './config';
export { callerIdentifier } from './pii/caller-identity';
