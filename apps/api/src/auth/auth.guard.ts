import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { Principal, roleCovers } from '@dane/core';
import { AuthenticationError, ForbiddenError, MethodNotAllowedError, RateLimitedError } from './auth-errors';
import { Authenticator } from './authenticator.service';
import { RateLimiter } from './rate-limiter';
import { defaultPolicy, ROUTE_POLICIES, ROUTE_POLICY_METADATA, RoutePolicy } from './route-roles';

/** The policy of the route a request reached: its decorator, else the table, else the method's default. */
function policyOf(reflector: Reflector, context: ExecutionContext, method: string): RoutePolicy {
  const declared = reflector.getAllAndOverride<RoutePolicy | undefined>(ROUTE_POLICY_METADATA, [context.getHandler(), context.getClass()]);
  return declared ?? ROUTE_POLICIES[`${context.getClass().name}.${context.getHandler().name}`] ?? defaultPolicy(method);
}

/**
 * Authorisation of every http route: the role the route needs (route-roles.ts) against the key's,
 * 401 with `WWW-Authenticate: Bearer` when no usable key came, 403 when the role is too low, and
 * the per-key rate limit of the submission routes (429 with Retry-After). HEAD on a legacy GET
 * route that changes things is a 405: it must never run the change.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: Authenticator,
    private readonly limiter: RateLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const req = context.switchToHttp().getRequest<Request>();
    const res = context.switchToHttp().getResponse<Response>();
    const policy = policyOf(this.reflector, context, req.method);
    if (policy.access === 'open') return true;
    // Express answers HEAD with the GET handler: on the legacy GET deletes and actions that would change things.
    if (req.method === 'HEAD' && policy.access !== 'read') {
      res.setHeader('Allow', 'GET');
      throw new MethodNotAllowedError('HEAD is answered only on read routes (a legacy GET route that changes things would run); use GET');
    }
    const settings = this.authenticator.settings;
    let principal: Principal | null = null;
    if (settings.enabled) {
      try {
        principal = await this.authenticator.principalOf(req, policy.access === 'read');
      } catch (err) {
        if (err instanceof AuthenticationError) res.setHeader('WWW-Authenticate', 'Bearer realm="DANE", error="invalid_token"');
        throw err;
      }
      if (!principal && !(policy.access === 'read' && settings.anonymousRead)) {
        res.setHeader('WWW-Authenticate', 'Bearer realm="DANE"');
        throw new AuthenticationError(`This route needs an API key with the ${policy.access} role: send \`Authorization: Bearer <key>\``);
      }
      if (principal && !roleCovers(principal.role, policy.access)) {
        throw new ForbiddenError(`This route needs the ${policy.access} role; your key has ${principal.role}`);
      }
    }
    if (policy.rateLimited && principal?.role !== 'admin') {
      const caller = principal ? `key:${principal.id}` : `ip:${req.ip ?? req.socket.remoteAddress ?? '?'}`;
      const retryAfter = this.limiter.take(caller);
      if (retryAfter !== null) {
        res.setHeader('Retry-After', String(retryAfter));
        throw new RateLimitedError(`Too many submissions: at most ${settings.ratePerMinute} per minute per key (AUTH.RATE_LIMIT_PER_MINUTE); try again in ${retryAfter} s`);
      }
    }
    return true;
  }
}
