import { errors } from '@elastic/elasticsearch';
import { DaneError, StorageUnavailableError, ValidationError } from '@dane/protocol';

/** The HTTP status of an Elasticsearch response error, or undefined for transport failures. */
export function statusOf(err: unknown): number | undefined {
  return err instanceof errors.ResponseError ? err.statusCode : undefined;
}

/** `error.type` of an Elasticsearch error body (e.g. `version_conflict_engine_exception`). */
export function errorTypeOf(body: unknown): string | undefined {
  const error = (body as { error?: { type?: unknown } } | undefined)?.error;
  return typeof error?.type === 'string' ? error.type : undefined;
}

/** The `error` object of an Elasticsearch error body, or of the body a ResponseError carries. */
function errorOf(errOrBody: unknown): { type?: unknown; reason?: unknown; index?: unknown; 'resource.id'?: unknown } | undefined {
  const body = errOrBody instanceof errors.ResponseError ? errOrBody.body : errOrBody;
  const error = (body as { error?: unknown } | undefined)?.error;
  return typeof error === 'object' && error !== null ? error : undefined;
}

/**
 * Whether an answer (a thrown ResponseError, a body read with `ignore: [404]`, an mget doc or a bulk item's
 * `error`) says that `index` itself does not exist — `index_not_found_exception`, 404 — rather than that a
 * document is missing (`found: false`, `result: not_found`, `document_missing_exception`). Only the first
 * means the index is gone; it names the index (or alias) it looked for.
 */
export function isIndexNotFound(errOrBody: unknown, index: string): boolean {
  const error = errorOf(errOrBody) ?? (errOrBody as { type?: unknown; index?: unknown } | undefined);
  if (error?.type !== 'index_not_found_exception') return false;
  const named = [error.index, (error as Record<string, unknown>)['resource.id']].filter((n) => typeof n === 'string');
  return named.length === 0 || named.includes(index);
}

/** A 403 `security_exception`: the user lacks a privilege for the action (the reason names it). */
export function isForbidden(err: unknown): boolean {
  return statusOf(err) === 403 && errorOf(err)?.type === 'security_exception';
}

/** The reason of an Elasticsearch error (a ResponseError or a body), for messages. */
export function reasonOf(errOrBody: unknown): string {
  const error = errorOf(errOrBody);
  return typeof error?.reason === 'string' ? error.reason : String((errOrBody as Error)?.message ?? errOrBody);
}

/** `[status] reason[ > caused_by.reason]`, the way the original reports bulk item failures (docs/protocol.md, Duplicates and bulk failures). */
export function describeFailure(status: number | undefined, error: unknown): string {
  const e = (error ?? {}) as { type?: string; reason?: string; caused_by?: { reason?: string } };
  const reason = e.reason ?? e.type ?? 'unknown error';
  return `[${status ?? '?'}] ${reason}${e.caused_by?.reason ? ` > ${e.caused_by.reason}` : ''}`;
}

/** A document the index mapping refuses (e.g. args.n once a number, now an object) is the client's mistake. */
const REFUSED_INPUT = new Set(['mapper_parsing_exception', 'illegal_argument_exception', 'document_parsing_exception']);

function isRefusedInput(status: number | undefined, error: unknown): boolean {
  const type = (error as { type?: unknown } | undefined)?.type;
  return status === 400 && typeof type === 'string' && REFUSED_INPUT.has(type);
}

/**
 * Translates what the client throws: a cluster that cannot be reached, times out or answers 5xx/429
 * is a StorageUnavailableError naming it; a refused document a ValidationError; anything else
 * (a bug in a request of ours) is passed on with the Elasticsearch reason in the message.
 */
export function translateError(err: unknown, where: string, what: string): unknown {
  if (err instanceof DaneError) return err;
  if (err instanceof errors.ResponseError) {
    const status = err.statusCode;
    const error = (err.body as { error?: unknown } | undefined)?.error;
    if (isRefusedInput(status, error)) return new ValidationError(`The index refused to ${what}: ${describeFailure(status, error)}`);
    if (status === 429 || (status !== undefined && status >= 500)) {
      return new StorageUnavailableError(`${where} could not ${what}: ${describeFailure(status, error)}`);
    }
    return new Error(`${where} refused to ${what}: ${describeFailure(status, error)}`);
  }
  if (err instanceof errors.ElasticsearchClientError) {
    return new StorageUnavailableError(`${where} did not answer: ${(err as Error).message}`);
  }
  return err;
}

/**
 * A failed `_bulk` item: refused input is a ValidationError, a cluster in trouble (429/5xx) a
 * StorageUnavailableError the caller throws, anything else a DaneError with the original's wording.
 */
export function bulkItemError(item: { status: number; error?: unknown }, where: string, what: string): DaneError {
  const detail = describeFailure(item.status, item.error);
  if (isRefusedInput(item.status, item.error)) return new ValidationError(`The index refused to ${what}: ${detail}`);
  if (item.status === 429 || item.status >= 500) return new StorageUnavailableError(`${where} could not ${what}: ${detail}`);
  return new DaneError(detail);
}

/** A per-item error to report, unless the cluster itself is in trouble: then the whole call fails. */
export function failedItem(error: DaneError): DaneError {
  if (error instanceof StorageUnavailableError) throw error;
  return error;
}
