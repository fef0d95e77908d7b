import { Logger } from '@nestjs/common';
import { NextFunction, Request, Response } from 'express';

const logger = new Logger('DaneApi');

/** One structured line per request, written when the answer is sent. */
export function requestLogMiddleware(req: Request, res: Response, next: NextFunction): void {
  const started = process.hrtime.bigint();
  res.on('finish', () => {
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    logger.log(
      JSON.stringify({ event: 'http_request', method: req.method, path: req.originalUrl, status: res.statusCode, ms: Math.round(ms * 10) / 10, ...res.locals?.logFields }),
    );
  });
  next();
}
