/**
 * What kind of rejection a domain error is. Adapters map the kind, never the code: gRPC status, HTTP status,
 * a DLQ reason. Keep this list small; a new kind is a change to every adapter.
 */
export type DomainErrorKind =
  | 'invalid_argument'
  | 'not_found'
  | 'already_exists'
  | 'conflict'
  | 'precondition_failed'
  | 'permission_denied'
  | 'unauthenticated';

/** One invalid input field: `field` is a path into the request (`skills[0].level`), `description` says why. */
export interface FieldViolation {
  readonly field: string;
  readonly description: string;
}

export interface DomainErrorOptions {
  readonly fieldViolations?: readonly FieldViolation[];
  readonly cause?: unknown;
}

// A registry-wide symbol, so errors are recognised even if two copies of this module get loaded.
const BRAND: unique symbol = Symbol.for('switchboard.domain-error');

/**
 * A rejection the domain decided on purpose. `code` is stable and namespaced by context
 * (`ROUTING.NO_ELIGIBLE_AGENT`): clients branch on it, so never rename one. `message` is for humans and may change.
 */
export abstract class DomainError extends Error {
  abstract readonly kind: DomainErrorKind;
  readonly fieldViolations: readonly FieldViolation[];
  readonly [BRAND] = true;

  constructor(readonly code: string, message: string, options: DomainErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.fieldViolations = options.fieldViolations ?? [];
  }
}

export function isDomainError(e: unknown): e is DomainError {
  return typeof e === 'object' && e !== null && (e as { [BRAND]?: unknown })[BRAND] === true;
}

/** The request is malformed whatever the state: list the offending fields. */
export class InvalidArgumentError extends DomainError {
  readonly kind = 'invalid_argument';
  constructor(code: string, message: string, fieldViolations: readonly FieldViolation[] = [], options: { cause?: unknown } = {}) {
    super(code, message, { ...options, fieldViolations });
  }
}

export class NotFoundError extends DomainError {
  readonly kind = 'not_found';
}

/** Creating something that already exists (an id or natural key taken). */
export class AlreadyExistsError extends DomainError {
  readonly kind = 'already_exists';
}

/** A concurrent change won (stale expected version): re-read and retry the whole command. */
export class ConflictError extends DomainError {
  readonly kind = 'conflict';
}

/** The request is valid but the current state forbids it (e.g. no eligible agent); retrying unchanged won't help. */
export class PreconditionFailedError extends DomainError {
  readonly kind = 'precondition_failed';
}

export class PermissionDeniedError extends DomainError {
  readonly kind = 'permission_denied';
}

export class UnauthenticatedError extends DomainError {
  readonly kind = 'unauthenticated';
}
