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
