/** Where a failed call went: enough for a message that names it. */
export interface ApiCallInfo {
  method: string;
  url: string;
  /** HTTP status of the answer; undefined when no answer came (ServerUnreachableError). */
  status?: number;
}

/**
 * A call to the DANE API that failed. `message` is the server's own `{"message"}` text (docs/protocol.md, REST API), so
 * callers can show it as is; `status`, `method` and `url` say which call it was.
 */
export class DaneApiError extends Error {
  readonly status?: number;
  readonly method: string;
  readonly url: string;

  constructor(message: string, call: ApiCallInfo) {
    super(message);
    this.name = new.target.name;
    this.status = call.status;
    this.method = call.method;
    this.url = call.url;
  }
}
