import { PayloadTooLargeException } from '@nestjs/common';
import express, { NextFunction, Request, Response } from 'express';
import { ValidationError } from '@dane/core';

/**
 * Reads the raw body of every request and parses it as JSON whatever its Content-Type, as the original did
 * (docs/protocol.md, Conventions). An empty body leaves `req.body` undefined; the route's validation says
 * what it expected. Named `jsonParser` so Nest does not add its own JSON parser after it.
 */
export function jsonBodyMiddleware(limitBytes: number) {
  const readRaw = express.raw({ type: () => true, limit: limitBytes });
  return function jsonParser(req: Request, res: Response, next: NextFunction): void {
    readRaw(req, res, (err?: unknown) => {
      if (err) return next(bodyError(err, limitBytes));
      const raw: unknown = req.body;
      if (!Buffer.isBuffer(raw) || raw.length === 0) {
        req.body = undefined;
        return next();
      }
      const text = raw.toString('utf8').replace(/^\uFEFF/, '');
      if (text.trim() === '') {
        req.body = undefined;
        return next();
      }
      try {
        req.body = JSON.parse(text);
      } catch (parseErr) {
        return next(new ValidationError(`Invalid JSON body: ${(parseErr as Error).message}`));
      }
      next();
    });
  };
}

function bodyError(err: unknown, limitBytes: number): unknown {
  if ((err as { type?: string }).type === 'entity.too.large') {
    return new PayloadTooLargeException(`Request body too large: at most ${limitBytes} bytes are accepted (DANE.MAX_BODY_BYTES)`);
  }
  return err;
}
