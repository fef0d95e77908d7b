import { DaneApiError } from './dane-api-error';

/** 409: the request contradicts what is stored. The subclasses say which conflict it was. */
export class ConflictError extends DaneApiError {}
