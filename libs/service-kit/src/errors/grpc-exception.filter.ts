import { ArgumentsHost, Catch, RpcExceptionFilter } from '@nestjs/common';
import { status as Status } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { Observable, throwError } from 'rxjs';
import { toGrpcError } from './grpc-status.mapper';

/** Global filter of a gRPC app: every exception leaves as a proper status; unexpected ones are logged here, once. */
@Catch()
export class GrpcExceptionFilter implements RpcExceptionFilter<unknown> {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): Observable<never> {
    const error = toGrpcError(exception);
    if (error.code === Status.INTERNAL) {
      const call = host.getArgByIndex<{ getPath?: () => string } | undefined>(2);
      this.logger.error({ err: exception, method: call?.getPath?.() }, 'unexpected error in a gRPC handler');
    }
    return throwError(() => error);
  }
}
