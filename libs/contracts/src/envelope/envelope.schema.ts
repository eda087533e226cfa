import { Type, type Static, type TSchema } from '@sinclair/typebox';

/**
 * CloudEvents 1.0 attributes as used on every Switchboard topic (structured JSON content mode).
 * The attributes are required on our topics even where CloudEvents makes them optional, so a consumer never has to
 * guess: `subject` is the aggregate id (= the Kafka key), `sequence` the per-subject position used for gap detection.
 */
export const SPEC_VERSION = '1.0' as const;
export const DATA_CONTENT_TYPE = 'application/json' as const;
/** Kafka `content-type` header for structured mode (CloudEvents Kafka protocol binding §3.2). */
export const STRUCTURED_CONTENT_TYPE = 'application/cloudevents+json; charset=UTF-8' as const;

export const UUID_V7_PATTERN = '^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$';
export const RFC3339_PATTERN =
  '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2})$';
export const SOURCE_PATTERN = '^/switchboard/[a-z][a-z0-9-]*(/[a-z0-9][a-z0-9-]*)?$';
export const TYPE_PATTERN = '^switchboard\\.[a-z][a-z-]*\\.[a-z][a-z-]*\\.[a-z][a-z-]*\\.v[0-9]+$';
/** CloudEvents Integer is a signed 32-bit number. */
export const MAX_SEQUENCE = 2147483647;

const Id = Type.String({ minLength: 1, maxLength: 128 });

/** Attributes shared by every event; `type` and `data` are added per event definition. */
export const envelopeAttributes = {
  specversion: Type.Literal(SPEC_VERSION),
  id: Type.String({ pattern: UUID_V7_PATTERN, description: 'UUIDv7, unique per event; consumers deduplicate on it' }),
  source: Type.String({ pattern: SOURCE_PATTERN, description: '/switchboard/<service>[/<site>]' }),
  subject: Type.String({ minLength: 1, maxLength: 128, description: 'Aggregate id; equals the Kafka record key' }),
  time: Type.String({ pattern: RFC3339_PATTERN, description: 'RFC 3339; when it happened at the source (PBX time for PBX events)' }),
  datacontenttype: Type.Literal(DATA_CONTENT_TYPE),
  tenant: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,62}$', description: 'Tenant (call-center operator) id' }),
  site: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,62}$', description: 'Site where the fact happened, or the producing deployment site' }),
  sequence: Type.Integer({
    minimum: 1,
    maximum: MAX_SEQUENCE,
    description: 'Per-subject position, starting at 1 and increasing by 1; a jump reveals a lost event',
  }),
  correlationid: Id,
  causationid: Id,
} as const;

/** The envelope of any event, with `data` left open: what a consumer can check before it knows the type. */
export const AnyEnvelopeSchema = Type.Object({
  ...envelopeAttributes,
  type: Type.String({ pattern: TYPE_PATTERN }),
  data: Type.Object({}),
});
export type AnyEnvelope = Static<typeof AnyEnvelopeSchema>;

export type EnvelopeAttributes = Omit<AnyEnvelope, 'type' | 'data'>;

/** A fully typed envelope: `type` is the literal of the event type, `data` its payload. */
export type CloudEvent<T extends string, D> = Readonly<EnvelopeAttributes & { type: T; data: D }>;

export function envelopeSchemaFor<T extends string, D extends TSchema>(type: T, data: D, description: string) {
  return Type.Object(
    { ...envelopeAttributes, type: Type.Literal(type), data },
    { $id: `urn:switchboard:event:${type}`, title: type, description },
  );
}
