import { status as Status } from '@grpc/grpc-js';
import { RpcException } from '@nestjs/microservices';
import {
  AlreadyExistsError, ConflictError, DomainError, InvalidArgumentError, NotFoundError, PermissionDeniedError,
  PreconditionFailedError, UnauthenticatedError,
} from '@switchboard/domain-errors';
import { decodeStatusDetails, readErrorDetails, STATUS_DETAILS_KEY } from './status-details.codec';
import { ERROR_CODE_KEY, toGrpcError } from './grpc-status.mapper';

describe('toGrpcError', () => {
  it.each<[DomainError, Status]>([
    [new InvalidArgumentError('X.BAD', 'bad'), Status.INVALID_ARGUMENT],
    [new NotFoundError('X.MISSING', 'missing'), Status.NOT_FOUND],
    [new AlreadyExistsError('X.TAKEN', 'taken'), Status.ALREADY_EXISTS],
    [new ConflictError('X.STALE', 'stale'), Status.ABORTED],
    [new PreconditionFailedError('ROUTING.NO_ELIGIBLE_AGENT', 'nobody'), Status.FAILED_PRECONDITION],
    [new PermissionDeniedError('X.DENIED', 'denied'), Status.PERMISSION_DENIED],
    [new UnauthenticatedError('X.WHO', 'who'), Status.UNAUTHENTICATED],
  ])('should map %p to status %p with its message and stable code', (error, code) => {
    const mapped = toGrpcError(error);
    expect(mapped.code).toBe(code);
    expect(mapped.details).toBe(error.message);
    expect(mapped.metadata.get(ERROR_CODE_KEY)).toEqual([error.code]);
    expect(readErrorDetails(mapped)).toEqual({ code: error.code, kind: error.kind, fieldViolations: [] });
  });

  it('should put field violations in a standard google.rpc.Status', () => {
    const error = new InvalidArgumentError('QA.INVALID_SCORECARD', 'scorecard is invalid', [
      { field: 'items[0].weight', description: 'must be positive' },
      { field: 'name', description: 'must not be empty' },
    ]);
    const [bytes] = toGrpcError(error).metadata.get(STATUS_DETAILS_KEY);
    expect(decodeStatusDetails(bytes as Buffer)).toEqual({
      code: Status.INVALID_ARGUMENT,
      message: 'scorecard is invalid',
      details: { code: 'QA.INVALID_SCORECARD', kind: 'invalid_argument', fieldViolations: error.fieldViolations },
    });
  });

  it('should hide the internals of an unexpected error behind INTERNAL', () => {
    const mapped = toGrpcError(new TypeError("Cannot read properties of undefined (reading 'password')"));
    expect(mapped.code).toBe(Status.INTERNAL);
    expect(mapped.details).toBe('internal error');
    expect(mapped.metadata.get(ERROR_CODE_KEY)).toEqual([]);
    expect(readErrorDetails(mapped)).toEqual({ fieldViolations: [] });
  });

  it('should treat thrown non-errors and arbitrary RpcExceptions as internal', () => {
    expect(toGrpcError('boom').code).toBe(Status.INTERNAL);
    expect(toGrpcError(new RpcException('db password is hunter2')).details).toBe('internal error');
  });

  it("should map Nest's 'guard returned false' to PERMISSION_DENIED", () => {
    expect(toGrpcError(new RpcException('Forbidden resource')).code).toBe(Status.PERMISSION_DENIED);
  });
});

describe('readErrorDetails', () => {
  it('should read nothing from an error without details', () => {
    expect(readErrorDetails({})).toEqual({ fieldViolations: [] });
  });
});
