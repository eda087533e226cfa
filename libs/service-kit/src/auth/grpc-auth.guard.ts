import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Metadata } from '@grpc/grpc-js';
import { PermissionDeniedError, UnauthenticatedError } from '@switchboard/domain-errors';
import { attachPrincipal, PUBLIC_KEY, ROLES_KEY } from './auth.decorators';
import { hasAnyRole, Role } from './principal';
import { bearerToken, TokenVerifier } from './token-verifier';

/**
 * Authenticates every gRPC call. Deny by default: a method needs a valid token unless marked @Public; @Roles
 * narrows it to those roles; without @Roles any authenticated caller may call it. With no verifier configured,
 * only @Public methods answer.
 */
@Injectable()
export class GrpcAuthGuard implements CanActivate {
  constructor(private readonly reflector: Reflector, private readonly verifier: TokenVerifier | undefined) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const targets = [ctx.getHandler(), ctx.getClass()];
    const required = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    // @Roles wins over @Public: a conflicting pair must fail closed.
    if (required === undefined && this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets) === true) return true;
    const metadata = ctx.switchToRpc().getContext<Metadata>();
    const token = bearerToken(metadata.get('authorization'));
    if (token === undefined) throw new UnauthenticatedError('AUTH.TOKEN_MISSING', 'missing bearer token in the authorization metadata');
    if (this.verifier === undefined) throw new UnauthenticatedError('AUTH.NOT_CONFIGURED', 'this server accepts no tokens');
    const principal = await this.verifier.verify(token);
    if (required !== undefined && !hasAnyRole(principal, required)) {
      throw new PermissionDeniedError('AUTH.ROLE_REQUIRED', `requires one of the roles: ${required.join(', ')}`);
    }
    attachPrincipal(metadata, principal);
    return true;
  }
}
