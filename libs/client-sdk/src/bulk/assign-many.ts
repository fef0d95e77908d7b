import type { TasksApi } from '../api/tasks-api';
import { isTaskAssignedText } from '../errors/error-for-response';
import type { TaskFailureView, TaskSpec, TaskView } from '../model/views';
import { ChunkOptions, chunksOf, DEFAULT_CHUNK_SIZE } from './chunks';

export interface AssignManyOutcome {
  assigned: TaskView[];
  /** The document had a task with this key already (re-run it with retry/reset, not by assigning). */
  alreadyAssigned: TaskFailureView[];
  failed: TaskFailureView[];
}

/** The list form of `POST /DANE/task/` in chunks, one task spec for all the documents. */
export async function assignMany(api: TasksApi, documentIds: readonly string[], spec: TaskSpec, options: ChunkOptions = {}): Promise<AssignManyOutcome> {
  const chunks = chunksOf(documentIds, options.chunkSize ?? DEFAULT_CHUNK_SIZE);
  const outcome: AssignManyOutcome = { assigned: [], alreadyAssigned: [], failed: [] };
  let done = 0;
  for (const [n, chunk] of chunks.entries()) {
    const answer = await api.assignMany(chunk, spec);
    outcome.assigned.push(...answer.success);
    for (const f of answer.failed) (isTaskAssignedText(f.error) ? outcome.alreadyAssigned : outcome.failed).push(f);
    done += chunk.length;
    options.onProgress?.({ done, total: documentIds.length, failed: outcome.failed.length, chunk: n + 1, chunks: chunks.length });
  }
  return outcome;
}
