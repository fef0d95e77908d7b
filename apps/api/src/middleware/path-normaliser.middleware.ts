import { NextFunction, Request, Response } from 'express';

/**
 * Collections are `/DANE/document/` with a trailing slash, clients also call them without, and dane-workflows
 * builds `…/DANE/document//<id>/tasks` (docs/protocol.md, Conventions). Werkzeug redirected; we rewrite the
 * path in place (no redirect, so POST bodies are never lost): duplicate slashes merged, a trailing slash
 * dropped.
 */
export function pathNormaliserMiddleware(req: Request, _res: Response, next: NextFunction): void {
  const q = req.url.indexOf('?');
  const path = q === -1 ? req.url : req.url.slice(0, q);
  let normal = path.replace(/\/{2,}/g, '/');
  if (normal.length > 1 && normal.endsWith('/')) normal = normal.slice(0, -1);
  if (normal !== path) req.url = normal + (q === -1 ? '' : req.url.slice(q));
  next();
}
