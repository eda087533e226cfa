import { Module, type Type } from '@nestjs/common';
import { GATEWAY_PORTS, TelephonyGatewayGrpcController, type GatewayPorts } from './api/telephony-gateway.grpc-controller';

/** The Nest manifest: the gRPC controller bound to the gateway's ports (pool and links) by injection token. */
export function telephonyGatewayModule(ports: GatewayPorts): Type<unknown> {
  @Module({ controllers: [TelephonyGatewayGrpcController], providers: [{ provide: GATEWAY_PORTS, useValue: ports }] })
  class TelephonyGatewayModule {}
  return TelephonyGatewayModule;
}
