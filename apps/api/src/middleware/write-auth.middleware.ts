import type { NextFunction, Request, Response } from 'express';
import { AuthenticationError } from '../auth/auth-errors';
import { Authenticator } from '../auth/authenticator.service';
import { isSafeMethod } from '../auth/route-roles';

/**
 * Every route that writes needs a key, so a write without one (or with a key we do not know) is
 * answered 401 before its body is read. The AuthGuard then checks the role against the route.
 */
export function writeAuthMiddleware(authenticator: Authenticator) {
  return function writeAuth(req: Request, res: Response, next: NextFunction): void {
    if (!authenticator.settings.enabled || isSafeMethod(req.method)) return next();
    authenticator.principalOf(req).then(
      (principal) => {
        if (principal) return next();
        res.setHeader('WWW-Authenticate', 'Bearer realm="DANE"');
        next(new AuthenticationError('This route needs an API key: send `Authorization: Bearer <key>`'));
      },
      (err) => {
        if (err instanceof AuthenticationError) res.setHeader('WWW-Authenticate', 'Bearer realm="DANE", error="invalid_token"');
        next(err);
      },
    );
  };
}
