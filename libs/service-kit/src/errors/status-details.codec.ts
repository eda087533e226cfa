import type { Metadata } from '@grpc/grpc-js';
import { Root, type Type } from 'protobufjs';
import type { FieldViolation } from '@switchboard/domain-errors';

/**
 * The standard rich error model (google.rpc.Status with ErrorInfo and BadRequest details), carried in the
 * `grpc-status-details-bin` trailer so grpcurl, Connect and every gRPC stack can read it. Declared inline: the
 * three messages are stable and tiny, and this avoids shipping .proto files.
 */
const descriptor = {
  nested: {
    google: {
      nested: {
        protobuf: { nested: { Any: { fields: { typeUrl: { type: 'string', id: 1 }, value: { type: 'bytes', id: 2 } } } } },
        rpc: {
          nested: {
            Status: { fields: { code: { type: 'int32', id: 1 }, message: { type: 'string', id: 2 }, details: { rule: 'repeated', type: 'google.protobuf.Any', id: 3 } } },
            ErrorInfo: { fields: { reason: { type: 'string', id: 1 }, domain: { type: 'string', id: 2 }, metadata: { keyType: 'string', type: 'string', id: 3 } } },
            BadRequest: {
              fields: { fieldViolations: { rule: 'repeated', type: 'FieldViolation', id: 1 } },
              nested: { FieldViolation: { fields: { field: { type: 'string', id: 1 }, description: { type: 'string', id: 2 } } } },
            },
          },
        },
      },
    },
  },
};
// Built from a named constant: protobufjs' JSON types do not list `keyType`, which map fields need.
const root = Root.fromJSON(descriptor);

const StatusType = root.lookupType('google.rpc.Status');
const ErrorInfoType = root.lookupType('google.rpc.ErrorInfo');
const BadRequestType = root.lookupType('google.rpc.BadRequest');
const TYPE_URL_PREFIX = 'type.googleapis.com/';
const urlOf = (t: Type) => TYPE_URL_PREFIX + t.fullName.replace(/^\./, '');

export const STATUS_DETAILS_KEY = 'grpc-status-details-bin';
export const ERROR_DOMAIN = 'switchboard';

/** What a client learns about a failed call beyond its status code. */
export interface ErrorDetails {
  /** The stable domain code (ErrorInfo.reason), e.g. `ROUTING.NO_ELIGIBLE_AGENT`. */
  code?: string;
  /** The domain error kind (ErrorInfo.metadata.kind). */
  kind?: string;
  fieldViolations: FieldViolation[];
}

const pack = (t: Type, value: object) => ({ typeUrl: urlOf(t), value: t.encode(t.fromObject(value)).finish() });

export function encodeStatusDetails(status: { code: number; message: string }, details: ErrorDetails): Buffer {
  const any = [];
  if (details.code !== undefined) any.push(pack(ErrorInfoType, { reason: details.code, domain: ERROR_DOMAIN, metadata: details.kind === undefined ? {} : { kind: details.kind } }));
  if (details.fieldViolations.length > 0) any.push(pack(BadRequestType, { fieldViolations: details.fieldViolations.map(({ field, description }) => ({ field, description })) }));
  return Buffer.from(StatusType.encode(StatusType.fromObject({ ...status, details: any })).finish());
}

type DecodedAny = { typeUrl: string; value: Uint8Array };

/** Reads the details back; unknown detail types are skipped, so servers may add more later. */
export function decodeStatusDetails(bytes: Uint8Array): { code: number; message: string; details: ErrorDetails } {
  const status = StatusType.toObject(StatusType.decode(bytes), { defaults: true }) as { code: number; message: string; details: DecodedAny[] };
  const details: ErrorDetails = { fieldViolations: [] };
  for (const any of status.details) {
    if (any.typeUrl === urlOf(ErrorInfoType)) {
      const info = ErrorInfoType.toObject(ErrorInfoType.decode(any.value), { defaults: true }) as { reason: string; metadata: Record<string, string> };
      details.code = info.reason;
      if (info.metadata.kind !== undefined) details.kind = info.metadata.kind;
    } else if (any.typeUrl === urlOf(BadRequestType)) {
      const bad = BadRequestType.toObject(BadRequestType.decode(any.value), { defaults: true }) as { fieldViolations: FieldViolation[] };
      details.fieldViolations.push(...bad.fieldViolations.map(({ field, description }) => ({ field, description })));
    }
  }
  return { code: status.code, message: status.message, details };
}

/** Client side: the details of a failed call (`err.metadata` of a grpc-js ServiceError). */
export function readErrorDetails(error: { metadata?: Metadata }): ErrorDetails {
  const [bytes] = error.metadata?.get(STATUS_DETAILS_KEY) ?? [];
  return Buffer.isBuffer(bytes) ? decodeStatusDetails(bytes).details : { fieldViolations: [] };
}
