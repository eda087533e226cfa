import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Metadata } from '@grpc/grpc-js';
import { UnauthenticatedError } from '@switchboard/domain-errors';
import type { Principal, Role } from './principal';

export const ROLES_KEY = 'switchboard:roles';
export const PUBLIC_KEY = 'switchboard:public';

/** Only callers holding at least one of these roles may call the method (or every method of the class). */
export const Roles = (first: Role, ...rest: Role[]) => SetMetadata(ROLES_KEY, [first, ...rest]);

/** No token needed. Rare on purpose: health and reflection are already served outside Nest. */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

// Keyed by the call's Metadata object, which Nest hands to the guard and to the handler alike.
const principals = new WeakMap<Metadata, Principal>();

export function attachPrincipal(metadata: Metadata, principal: Principal): void {
  principals.set(metadata, principal);
}

/** The verified caller of this call, from the handler's `metadata` argument. Throws on a @Public method. */
export function principalOf(metadata: Metadata): Principal {
  const principal = principals.get(metadata);
  if (principal === undefined) throw new UnauthenticatedError('AUTH.NO_PRINCIPAL', 'this call carries no authenticated principal');
  return principal;
}

/**
 * The caller as a handler parameter. Nest then passes only decorated parameters, so decorate the request
 * too: `method(@Payload() req: Req, @CurrentPrincipal() me: Principal)`.
 */
export const CurrentPrincipal = createParamDecorator((_data: unknown, ctx: ExecutionContext): Principal =>
  principalOf(ctx.switchToRpc().getContext<Metadata>()));
