import type { DocumentsApi } from '../api/documents-api';
import { isDocumentExistsText } from '../errors/error-for-response';
import type { DocumentInput, DocumentView } from '../model/views';
import { ChunkOptions, chunksOf, DEFAULT_CHUNK_SIZE } from './chunks';

export interface DocumentRegistrationFailure {
  /** Position in the whole input list. */
  index: number;
  input: unknown;
  error: string;
}

export interface RegisterManyOutcome {
  /** Stored now. */
  registered: DocumentView[];
  /** Stored before (same target.id and creator.id): the `_id` is usable, e.g. to assign tasks. */
  existing: DocumentView[];
  failed: DocumentRegistrationFailure[];
}

/**
 * `POST /DANE/documents/` in chunks. A document that exists already is not a failure here: a
 * re-submitted batch should go on to assign tasks to it, so it is reported in `existing`.
 */
export async function registerMany(api: DocumentsApi, inputs: readonly DocumentInput[], options: ChunkOptions = {}): Promise<RegisterManyOutcome> {
  const size = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  const chunks = chunksOf(inputs, size);
  const outcome: RegisterManyOutcome = { registered: [], existing: [], failed: [] };
  let done = 0;
  for (const [n, chunk] of chunks.entries()) {
    const answer = await api.registerMany(chunk);
    outcome.registered.push(...answer.success);
    for (const f of answer.failed) {
      if (f.document && isDocumentExistsText(f.error)) outcome.existing.push(f.document);
      else outcome.failed.push({ index: n * size + f.index, input: chunk[f.index] ?? f.invalid, error: f.error });
    }
    done += chunk.length;
    options.onProgress?.({ done, total: inputs.length, failed: outcome.failed.length, chunk: n + 1, chunks: chunks.length });
  }
  return outcome;
}
