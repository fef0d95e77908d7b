import { DaneApiError } from './dane-api-error';

/** No answer at all: nothing listens at the base URL, the name does not resolve, or the call timed out. */
export class ServerUnreachableError extends DaneApiError {
  /** The base URL that was tried, e.g. http://localhost:5500. */
  readonly baseUrl: string;
  /** The network reason, e.g. ECONNREFUSED, ENOTFOUND or "no answer within 30 s". */
  readonly reason: string;

  constructor(baseUrl: string, reason: string, call: { method: string; url: string }) {
    super(`Cannot reach the DANE server at ${baseUrl} (${reason})`, call);
    this.baseUrl = baseUrl;
    this.reason = reason;
  }
}
