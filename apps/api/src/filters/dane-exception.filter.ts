import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DaneError } from '@dane/core';

/** An error raised by the http layer (body-parser and friends, via `http-errors`). */
interface HttpLayerError {
  status?: number;
  statusCode?: number;
  expose?: boolean;
  message?: string;
}

function httpExceptionMessage(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  return typeof message === 'string' ? message : exception.message;
}

/**
 * Renders every error as `{"message": "..."}` (docs/protocol.md, Conventions): DaneError with its own status,
 * Nest's HttpExceptions (unknown route → 404, …) with theirs. Anything else is a bug: logged with its stack
 * and answered 500 as the last resort.
 */
@Catch()
export class DaneExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('DaneApi');

  catch(exception: unknown, host: ArgumentsHost): void {
    // Broker handlers of the same process (single-machine mode) keep their own error handling.
    if (host.getType() !== 'http') throw exception;
    const ctx = host.switchToHttp();
    const res = ctx.getResponse<Response>();
    const req = ctx.getRequest<Request>();
    const { status, message } = this.describe(exception, req);
    if (res.headersSent) {
      res.end();
      return;
    }
    res.status(status).json({ message });
  }

  private describe(exception: unknown, req: Request): { status: number; message: string } {
    if (exception instanceof DaneError) {
      if (exception.status >= 500)
        this.logger.warn(JSON.stringify({ event: 'request_failed', method: req.method, path: req.originalUrl, status: exception.status, message: exception.message }));
      return { status: exception.status, message: exception.message };
    }
    if (exception instanceof HttpException) return { status: exception.getStatus(), message: httpExceptionMessage(exception) };
    const layer = exception as HttpLayerError | null;
    const status = layer?.status ?? layer?.statusCode;
    if (layer && layer.expose && typeof status === 'number' && status >= 400 && status < 500) {
      return { status, message: layer.message ?? 'Bad request' };
    }
    this.logger.error(
      JSON.stringify({ event: 'unexpected_error', method: req.method, path: req.originalUrl, error: String((exception as Error)?.message ?? exception) }),
      (exception as Error)?.stack,
    );
    return { status: HttpStatus.INTERNAL_SERVER_ERROR, message: 'Internal server error' };
  }
}
