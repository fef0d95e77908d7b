import { ExecutionContext } from '@nestjs/common';
import type { Request, Response } from 'express';

/** Where a route's `:id` points, by controller. */
const ID_PARAM: Readonly<Record<string, RequestLogField>> = {
  DocumentController: 'document_id',
  TaskController: 'task_id',
  ResultController: 'result_id',
};

type RequestLogField = 'task_id' | 'document_id' | 'result_id' | 'task_key';
type RequestLogFields = Partial<Record<RequestLogField, string>>;

/**
 * Puts the ids a request is about on `res.locals.logFields` (task_id, document_id, result_id,
 * task_key) — from the route's `:id` and the body (`document_id`, `task_id`) — for the request log
 * line (request-log.middleware.ts spreads them into it). Run by the ApiRequestGuard once the caller
 * is let in; a route that creates something adds its new id with noteCreatedId.
 */
export function noteRequestLogFields(context: ExecutionContext): void {
  const http = context.switchToHttp();
  const res = http.getResponse<Response>();
  if (!res.locals) return;
  const req = http.getRequest<Request>();
  const fields: RequestLogFields = {};
  const idField = ID_PARAM[context.getClass().name];
  const params = (req.params ?? {}) as Record<string, string>;
  if (idField && typeof params.id === 'string') fields[idField] = params.id;
  if (typeof params.task_key === 'string') fields.task_key = params.task_key;
  const body = req.body as Record<string, unknown> | undefined;
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    if (typeof body.document_id === 'string') fields.document_id ??= body.document_id;
    if (typeof body.task_id === 'string') fields.task_id ??= body.task_id;
  }
  res.locals.logFields = fields;
}

/** The id of what a request created (a task, a document), for its log line, unless the line names one already. */
export function noteCreatedId(res: Response, field: 'task_id' | 'document_id', id: string): void {
  const fields = res.locals?.logFields as RequestLogFields | undefined;
  if (fields && !fields[field]) fields[field] = id;
}
