import { Inject, Injectable } from '@nestjs/common';
import { validateTaskAssignment, DaneError, NotFoundError, TaskAssignedError, createTask, DaneTask, parseTaskSpec, TaskSpec, TaskState } from '@dane/protocol';
import { DANE_STORE, DaneStore } from '../storage/store.port';
import { documentNotFound } from './not-found';
import { tasksOfDocument, unmetDependencies, waitingMessage } from './task-dependencies';

export interface TaskAssignmentFailure {
  document_id: unknown;
  error: string;
}

/** The two answers of `POST /DANE/task/` (docs/protocol.md, Task routes): one document → the task; a list → per-item outcome. */
export type TaskAssignment = { many: false; task: DaneTask } | { many: true; success: DaneTask[]; failed: TaskAssignmentFailure[] };

function assignedMessage(task: DaneTask): string {
  return `Task \`${task.key}\` already assigned to document \`${task.document_id}\``;
}

/** Bulk failure texts keep the original's form (docs/protocol.md, Duplicates and bulk failures). */
function bulkFailureText(err: DaneError, task: DaneTask): string {
  if (err instanceof TaskAssignedError) return assignedMessage(task);
  if (err instanceof NotFoundError) return `[404] 'No document with id \`${task.document_id}\` found'`;
  return `[${err.status}] ${err.message}`;
}

/**
 * Assigns tasks to documents. A task is stored in 201, or in 412 when its `depends_on` keys are not
 * all 200 on the document; the scheduler dispatches it (architecture principles 2 and 5).
 */
@Injectable()
export class TaskAssignmentService {
  constructor(@Inject(DANE_STORE) private readonly store: DaneStore) {}

  /** `body` is checked against TaskAssignDto (a TaskAssignDto instance from the API's pipe is taken as it is). */
  async assign(body: unknown): Promise<TaskAssignment> {
    const dto = validateTaskAssignment(body);
    const documentId = dto.document_id;
    const spec = parseTaskSpec(dto);
    if (typeof documentId === 'string') return { many: false, task: await this.assignOne(documentId, spec) };
    return { many: true, ...(await this.assignMany(documentId, spec)) };
  }

  private async assignOne(documentId: string, spec: TaskSpec): Promise<DaneTask> {
    // No read of the document first: the insert itself answers NotFoundError for an unknown one
    // (one statement fewer on the busiest route).
    const task = await this.prepare(documentId, spec);
    try {
      await this.store.tasks.insert(task);
    } catch (err) {
      if (err instanceof TaskAssignedError) throw new TaskAssignedError(assignedMessage(task));
      if (err instanceof NotFoundError) throw documentNotFound(documentId);
      throw err;
    }
    const [stored] = await this.afterInsert([task]);
    return stored;
  }

  private async assignMany(ids: unknown[], spec: TaskSpec): Promise<{ success: DaneTask[]; failed: TaskAssignmentFailure[] }> {
    const failed: { index: number; failure: TaskAssignmentFailure }[] = [];
    const wanted: { index: number; id: string }[] = [];
    ids.forEach((id, index) => {
      if (typeof id === 'string' && id !== '') wanted.push({ index, id });
      else failed.push({ index, failure: { document_id: id ?? null, error: '[400] document_id must be a non-empty string' } });
    });
    const existing = new Set((await this.store.documents.findByIds([...new Set(wanted.map((w) => w.id))])).map((d) => d._id));
    const candidates: { index: number; task: DaneTask }[] = [];
    const seen = new Set<string>();
    for (const { index, id } of wanted) {
      if (!existing.has(id)) {
        failed.push({ index, failure: { document_id: id, error: `[404] 'No document with id \`${id}\` found'` } });
      } else if (seen.has(id)) {
        // The same document twice in one list: the first occurrence is assigned, the second conflicts.
        failed.push({ index, failure: { document_id: id, error: `Task \`${spec.key}\` already assigned to document \`${id}\`` } });
      } else {
        seen.add(id);
        candidates.push({ index, task: await this.prepare(id, spec) });
      }
    }
    const outcomes = await this.store.tasks.insertMany(candidates.map((c) => c.task));
    const inserted: DaneTask[] = [];
    outcomes.forEach((outcome, i) => {
      const { index, task } = candidates[i];
      if (!outcome.error) inserted.push(task);
      else failed.push({ index, failure: { document_id: task.document_id, error: bulkFailureText(outcome.error, task) } });
    });
    const success = await this.afterInsert(inserted);
    failed.sort((a, b) => a.index - b.index);
    return { success, failed: failed.map((f) => f.failure) };
  }

  /** The task as it is stored: 201 "Created", or 412 while a dependency is not 200 yet. */
  private async prepare(documentId: string, spec: TaskSpec): Promise<DaneTask> {
    const task = createTask(documentId, spec);
    if (spec.depends_on.length === 0) return task;
    const unmet = unmetDependencies(await tasksOfDocument(this.store, documentId), spec.depends_on);
    if (unmet.length === 0) return task;
    return { ...task, state: TaskState.UNFINISHED_DEPENDENCY, msg: waitingMessage(unmet) };
  }

  /**
   * A dependency may have reached 200 between our check and the insert: release the waiting tasks
   * of these documents now, then wake the dispatchers. Returns the tasks as stored.
   */
  private async afterInsert(tasks: DaneTask[]): Promise<DaneTask[]> {
    const waitingDocs = [...new Set(tasks.filter((t) => t.state === TaskState.UNFINISHED_DEPENDENCY).map((t) => t.document_id))];
    const released = new Map<string, DaneTask>();
    if (waitingDocs.length > 0) {
      for (const t of await this.store.tasks.releaseDependants(waitingDocs)) released.set(t._id, t);
    }
    return tasks.map((t) => released.get(t._id) ?? t);
  }
}
