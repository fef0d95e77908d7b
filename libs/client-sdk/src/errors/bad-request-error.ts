import { DaneApiError } from './dane-api-error';

/** 400: the server refused the input (invalid document, task, page, unknown action…). */
export class BadRequestError extends DaneApiError {}
