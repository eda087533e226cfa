import { Module, type Type } from '@nestjs/common';
import { REPORTING_DEPS, ReportingGrpcController, type ReportingDeps } from './grpc/reporting.grpc-controller';

/** The Nest manifest: the gRPC controller, bound to adapters built in the composition root. */
export function reportingModule(deps: ReportingDeps): Type<unknown> {
  @Module({ controllers: [ReportingGrpcController], providers: [{ provide: REPORTING_DEPS, useValue: deps }] })
  class ReportingModule {}
  return ReportingModule;
}
