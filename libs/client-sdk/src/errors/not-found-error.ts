import { DaneApiError } from './dane-api-error';

/** 404: no document, task or result with that id (or no such route). */
export class NotFoundError extends DaneApiError {}
