import { Module, type Type } from '@nestjs/common';
import { ROUTING_DEPS, RoutingGrpcController, type RoutingDeps } from './grpc/routing.grpc-controller';

/** The Nest manifest: the gRPC controller, bound to adapters built in the composition root. */
export function routingModule(deps: RoutingDeps): Type<unknown> {
  @Module({ controllers: [RoutingGrpcController], providers: [{ provide: ROUTING_DEPS, useValue: deps }] })
  class RoutingModule {}
  return RoutingModule;
}
