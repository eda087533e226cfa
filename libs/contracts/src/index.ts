/**
 * @switchboard/contracts — the published contract: CloudEvents envelope, event catalog v1, topic registry, raw
 * archive format, schema compatibility, proto locations. No framework imports here; the ts-proto NestJS stubs live
 * under `src/generated/` and are imported by path (see ADR-contracts.md).
 */
export * from './envelope/envelope.schema';
export * from './envelope/validation';
export * from './envelope/create-envelope';
export * from './envelope/codec';
export * from './envelope/kafka-record';

export * from './catalog/define-event';
export * from './catalog/common.schema';
export * from './catalog/catalog';
export * from './catalog/telephony-call.events';
export * from './catalog/telephony-agent.events';
export * from './catalog/telephony-pbx.events';
export * from './catalog/routing-assignment.events';
export * from './catalog/routing-floor.events';
export * from './catalog/training-certification.events';

export * from './topics';
export * from './pbx-raw';
export * from './proto/proto-paths';
