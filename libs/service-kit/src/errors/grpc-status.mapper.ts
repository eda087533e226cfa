import { Metadata, status as Status } from '@grpc/grpc-js';
import { RpcException } from '@nestjs/microservices';
import { DomainErrorKind, isDomainError } from '@switchboard/domain-errors';
import { encodeStatusDetails, ErrorDetails, STATUS_DETAILS_KEY } from './status-details.codec';

export const STATUS_BY_KIND: Readonly<Record<DomainErrorKind, Status>> = {
  invalid_argument: Status.INVALID_ARGUMENT,
  not_found: Status.NOT_FOUND,
  already_exists: Status.ALREADY_EXISTS,
  conflict: Status.ABORTED,
  precondition_failed: Status.FAILED_PRECONDITION,
  permission_denied: Status.PERMISSION_DENIED,
  unauthenticated: Status.UNAUTHENTICATED,
};

/** The shape grpc-js turns into the call's final status (code, message and trailers). */
export interface GrpcError {
  code: Status;
  details: string;
  metadata: Metadata;
}

/** Plain-text trailer with the stable code, for clients that do not decode the binary details (curl, logs). */
export const ERROR_CODE_KEY = 'error-code';
// Nest's own message when a guard returns false instead of throwing.
const NEST_FORBIDDEN = 'Forbidden resource';

function grpcError(code: Status, message: string, details: ErrorDetails): GrpcError {
  const metadata = new Metadata();
  metadata.set(STATUS_DETAILS_KEY, encodeStatusDetails({ code, message }, details));
  if (details.code !== undefined) metadata.set(ERROR_CODE_KEY, details.code);
  return { code, details: message, metadata };
}

/**
 * Maps anything a handler threw to a gRPC status. Domain errors keep their message, code and field
 * violations; everything else is INTERNAL with a fixed message, so no internals reach the caller.
 */
export function toGrpcError(e: unknown): GrpcError {
  if (isDomainError(e)) {
    return grpcError(STATUS_BY_KIND[e.kind], e.message, { code: e.code, kind: e.kind, fieldViolations: [...e.fieldViolations] });
  }
  if (e instanceof RpcException && e.getError() === NEST_FORBIDDEN) {
    return grpcError(Status.PERMISSION_DENIED, 'permission denied', { code: 'AUTH.FORBIDDEN', kind: 'permission_denied', fieldViolations: [] });
  }
  return grpcError(Status.INTERNAL, 'internal error', { fieldViolations: [] });
}
