export * from './principal';
export * from './token-verifier';
export * from './dev-token';
export * from './scope.policy';
export { Roles, Public, CurrentPrincipal, principalOf, ROLES_KEY, PUBLIC_KEY } from './auth.decorators';
export * from './grpc-auth.guard';
