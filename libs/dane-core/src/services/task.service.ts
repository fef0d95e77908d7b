import { Inject, Injectable } from '@nestjs/common';
import { DaneDocument, DaneTask, normaliseKey, NOT_ERRORED_STATES, UNFINISHED_EXCLUDED_STATES, Page, PageRequest } from '@dane/protocol';
import { DANE_STORE, DaneStore, TaskStats } from '../storage/store.port';
import { documentNotFound, taskNotFound } from './not-found';

/** Reading and deleting tasks, and the task lists of the API. */
@Injectable()
export class TaskService {
  constructor(@Inject(DANE_STORE) private readonly store: DaneStore) {}

  async get(id: string): Promise<DaneTask> {
    const task = await this.store.tasks.findById(id);
    if (!task) throw taskNotFound(id);
    return task;
  }

  /** Deletes the task and its results; nothing is sent to workers (docs/protocol.md, Transitions). */
  async delete(id: string): Promise<void> {
    if (!(await this.store.tasks.delete(id))) throw taskNotFound(id);
  }

  async documentOf(taskId: string): Promise<DaneDocument> {
    const task = await this.get(taskId);
    const doc = await this.store.documents.findById(task.document_id);
    if (!doc) throw documentNotFound(task.document_id);
    return doc;
  }

  /** Every task of a document, paged (the original stopped at 10; docs/protocol.md, Document routes). */
  async ofDocument(documentId: string, page: PageRequest): Promise<Page<DaneTask>> {
    if (!(await this.store.documents.findById(documentId))) throw documentNotFound(documentId);
    return this.store.tasks.list({ documentId }, page);
  }

  /**
   * Tasks neither done nor waiting for dependencies (`GET /DANE/task/`; docs/protocol.md, Task routes). With
   * `needsPerson` true: every task that needs a person (lifecycle/needs-person.ts), 412 ones included; false: the
   * unfinished ones that will still move by themselves.
   */
  async unfinished(page: PageRequest, needsPerson?: boolean): Promise<Page<DaneTask>> {
    if (needsPerson) return this.store.tasks.list({ needsPerson: true }, page);
    return this.store.tasks.list({ notStates: UNFINISHED_EXCLUDED_STATES, needsPerson }, page);
  }

  /**
   * Legacy `GET /DANE/task/inprogress` (docs/protocol.md, Legacy routes): "in progress tasks, or tasks which have
   * errored" — the original's getUnfinished, every task not in 200 or 412, the same set as `GET /DANE/task/`.
   */
  async inProgress(page: PageRequest): Promise<Page<DaneTask>> {
    return this.unfinished(page);
  }

  /** Tasks of one key that ended in an error or wait for a person (`GET /DANE/workers/<key>`; docs/protocol.md, Worker routes). */
  async erroredOfKey(taskKey: string, page: PageRequest): Promise<Page<DaneTask>> {
    return this.store.tasks.list({ key: normaliseKey(taskKey, 'task_key'), notStates: NOT_ERRORED_STATES }, page);
  }

  /** Tasks of one key on the documents of one creator (docs/protocol.md, Creator and search routes). */
  async ofCreator(creatorId: string, taskKey: string, page: PageRequest): Promise<Page<DaneTask>> {
    return this.store.tasks.list({ creatorId, key: normaliseKey(taskKey, 'task_key') }, page);
  }

  /** Task counts by key and state, optionally of one key (GET /DANE/stats/tasks). */
  async counts(taskKey?: string): Promise<TaskStats[]> {
    const key = taskKey === undefined || taskKey === '' ? undefined : normaliseKey(taskKey, 'key');
    return this.store.tasks.countByKeyAndState(key);
  }
}
