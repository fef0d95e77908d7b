import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { AuthGuard } from '../auth/auth.guard';
import { InputLimitsCheck } from '../middleware/input-limits.check';
import { noteRequestLogFields } from '../ops/request-log-fields';

/**
 * The API's one global enhancer on its routes, in this order: the AuthGuard (key, role, rate limit),
 * the request log's fields, the input limits of the body. They were a guard and two global
 * interceptors; with any interceptor at all Nest runs every route's handler through an rxjs pipeline
 * with AsyncResource bindings, which cost ~0.2 ms of CPU per request on the development machine
 * (GET /health: 0.50 ms with them, 0.25–0.35 ms without; docs/performance.md, Round 5).
 */
@Injectable()
export class ApiRequestGuard implements CanActivate {
  constructor(
    private readonly auth: AuthGuard,
    private readonly limits: InputLimitsCheck,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    if (!(await this.auth.canActivate(context))) return false;
    noteRequestLogFields(context);
    this.limits.check(context);
    return true;
  }
}
