import { ArgumentsHost, Catch, RpcExceptionFilter } from '@nestjs/common';
import { Observable, throwError } from 'rxjs';

/**
 * Nest's default RPC filter turns every unknown error into "Internal server error", which would
 * hide RefuseJob (the task must go back, not fail) and the error text of the 500 reply. This filter
 * passes the error through unchanged to DaneTransport:
 *
 *   app.useGlobalFilters(new DaneExceptionFilter());
 */
@Catch()
export class DaneExceptionFilter implements RpcExceptionFilter<unknown> {
  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    return throwError(() => exception);
  }
}
