import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Observable, tap } from 'rxjs';

/** Where a route's `:id` points, by controller. */
const ID_PARAM: Readonly<Record<string, string>> = {
  DocumentController: 'document_id',
  TaskController: 'task_id',
  ResultController: 'result_id',
};

type RequestLogFields = Partial<Record<'task_id' | 'document_id' | 'result_id' | 'task_key', string>>;

/**
 * Puts the ids a request is about on `res.locals.logFields` (task_id, document_id, result_id,
 * task_key) — from the route's `:id`, the body (`document_id`, `task_id`, a single created
 * `_id`) — for the request log line (request-log.middleware.ts spreads them into it).
 */
@Injectable()
export class RequestLogFieldsInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const req = context.switchToHttp().getRequest<Request>();
    const res = context.switchToHttp().getResponse<Response>();
    const fields: RequestLogFields = {};
    const idField = ID_PARAM[context.getClass().name];
    const params = (req.params ?? {}) as Record<string, string>;
    if (idField && typeof params.id === 'string') fields[idField as keyof RequestLogFields] = params.id;
    if (typeof params.task_key === 'string') fields.task_key = params.task_key;
    const body = req.body as Record<string, unknown> | undefined;
    if (body && typeof body === 'object' && !Array.isArray(body)) {
      if (typeof body.document_id === 'string') fields.document_id ??= body.document_id;
      if (typeof body.task_id === 'string') fields.task_id ??= body.task_id;
    }
    if (res.locals) res.locals.logFields = fields;
    return next.handle().pipe(
      tap((out) => {
        // A created task or document: its new id.
        if (!res.locals || req.method !== 'POST' || !out || typeof out !== 'object' || Array.isArray(out)) return;
        const id = (out as { _id?: unknown })._id;
        if (typeof id !== 'string') return;
        if (context.getClass().name === 'TaskController' && !fields.task_id) fields.task_id = id;
        if (context.getClass().name === 'DocumentController' && !fields.document_id) fields.document_id = id;
      }),
    );
  }
}
