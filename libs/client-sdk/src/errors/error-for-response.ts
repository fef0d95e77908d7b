import { BadRequestError } from './bad-request-error';
import { ConflictError } from './conflict-error';
import { ApiCallInfo, DaneApiError } from './dane-api-error';
import { DocumentExistsError } from './document-exists-error';
import { NotFoundError } from './not-found-error';
import { ServiceUnavailableError } from './service-unavailable-error';
import { TaskAssignedError } from './task-assigned-error';
import { TaskStateError } from './task-state-error';

// The server answers every 409 with the same status; the original's texts (docs/protocol.md, Ids) tell them apart.
const DOCUMENT_EXISTS = /^A document with target\.id .* already exists$/s;
const TASK_ASSIGNED = /^Task `.*` already assigned to document `.*`$/s;
const TASK_STATE = /^Task `.*` is in state /s;

/** The typed error for a non-2xx answer: status first, then the message for the kinds of 409. */
export function errorForResponse(message: string, call: ApiCallInfo & { status: number }): DaneApiError {
  switch (call.status) {
    case 400:
      return new BadRequestError(message, call);
    case 404:
      return new NotFoundError(message, call);
    case 409:
      if (DOCUMENT_EXISTS.test(message)) return new DocumentExistsError(message, call);
      if (TASK_ASSIGNED.test(message)) return new TaskAssignedError(message, call);
      if (TASK_STATE.test(message)) return new TaskStateError(message, call);
      return new ConflictError(message, call);
    case 503:
      return new ServiceUnavailableError(message, call);
    default:
      return new DaneApiError(message, call);
  }
}

/** True for a bulk failure text that says the document exists (the bulk answer carries no status). */
export function isDocumentExistsText(text: string): boolean {
  return DOCUMENT_EXISTS.test(text);
}

/** True for a bulk failure text that says the task is assigned already. */
export function isTaskAssignedText(text: string): boolean {
  return TASK_ASSIGNED.test(text);
}
