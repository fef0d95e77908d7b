import { DaneError, NotFoundError, TaskAssignedError, DaneTask } from '@dane/protocol';
import { BulkOutcome } from '../store.port';
import { bulkItemError, failedItem } from './es-errors';
import { EsIndex } from './es-index';
import { nextInsertionSeq } from './insertion-sequence';
import { refuseNul } from './nul-text';
import { REFRESH } from './refresh-policy';
import { isDocumentSource, taskSource } from './sources';

function assignedError(task: DaneTask): TaskAssignedError {
  return new TaskAssignedError(`Task \`${task.key}\` already assigned to document \`${task.document_id}\``);
}

/**
 * The insertion sequence a stored task was created with: unique to one create of ours, and never
 * changed by later writes. A resent create that answers 409 is ours when the stored task has it
 * (es-index.ts, create), even if a dispatcher claimed it in between.
 */
function insertionSeqOf(stored: unknown): number | undefined {
  return (stored as { dane_node?: { seq?: number } } | undefined)?.dane_node?.seq;
}

function noDocument(id: string): NotFoundError {
  return new NotFoundError(`No document with id \`${id}\` found`);
}

/**
 * Assigning tasks (docs/protocol.md, Writes): the document must exist, the task is
 * created with `op_type=create` routed by its document. Elasticsearch does not check join parents,
 * so we do, before and after: a document deleted meanwhile takes the new task with it.
 */
export class TaskInserts {
  constructor(private readonly index: EsIndex) {}

  /** Single assignment, as the original: GET the document, then create routed by it. */
  async insert(task: DaneTask): Promise<void> {
    refuseNul(task, 'task');
    const doc = await this.index.get<unknown>(task.document_id);
    if (!doc || !isDocumentSource(doc._source)) throw noDocument(task.document_id);
    const source = taskSource(task, nextInsertionSeq(), Date.now());
    const isOurs = (stored: unknown) => insertionSeqOf(stored) === source.dane_node?.seq;
    const created = await this.index.create(task._id, source, { routing: task.document_id, refresh: REFRESH.create, what: 'store the task', isOurs });
    if (!created) throw assignedError(task);
    if ((await this.orphaned([task])).length > 0) throw noDocument(task.document_id);
  }

  /** One MGET of the documents, one `_bulk` of creates; per-item NotFoundError / TaskAssignedError. */
  async insertMany(tasks: DaneTask[]): Promise<BulkOutcome<DaneTask>[]> {
    const outcomes: BulkOutcome<DaneTask>[] = tasks.map((item) => ({ item }));
    if (tasks.length === 0) return outcomes;
    const existing = await this.existingDocuments(tasks.map((t) => t.document_id));
    const writable: number[] = [];
    tasks.forEach((task, i) => {
      try {
        refuseNul(task, 'task');
        if (!existing.has(task.document_id)) outcomes[i].error = noDocument(task.document_id);
        else writable.push(i);
      } catch (err) {
        outcomes[i].error = err as DaneError;
      }
    });
    const now = Date.now();
    const sources = writable.map((i) => taskSource(tasks[i], nextInsertionSeq(now), now));
    const lines = writable.flatMap((i, k) => [{ create: { _id: tasks[i]._id, routing: tasks[i].document_id } }, sources[k]]);
    const ours = (k: number, current: { _source: unknown } | null) => current !== null && insertionSeqOf(current._source) === sources[k].dane_node?.seq;
    const items = await this.index.bulk(lines, REFRESH.create, 'store tasks', ours);
    const created: DaneTask[] = [];
    writable.forEach((i, k) => {
      const item = items[k];
      if (item.status === 409) outcomes[i].error = assignedError(tasks[i]);
      else if (item.status >= 300) outcomes[i].error = failedItem(bulkItemError(item, this.index.where, 'store the task'));
      else created.push(tasks[i]);
    });
    const orphans = new Set((await this.orphaned(created)).map((t) => t._id));
    outcomes.forEach((o) => {
      if (!o.error && orphans.has(o.item._id)) o.error = noDocument(o.item.document_id);
    });
    return outcomes;
  }

  private async existingDocuments(ids: string[]): Promise<Set<string>> {
    const hits = await this.index.mget<unknown>(ids);
    return new Set(hits.filter((h) => isDocumentSource(h._source)).map((h) => h._id));
  }

  /** Created tasks whose document is gone by now; they are deleted again. */
  private async orphaned(created: DaneTask[]): Promise<DaneTask[]> {
    if (created.length === 0) return [];
    const existing = await this.existingDocuments(created.map((t) => t.document_id));
    const orphans = created.filter((t) => !existing.has(t.document_id));
    const lines = orphans.map((t) => ({ delete: { _id: t._id, routing: t.document_id } }));
    await this.index.bulk(lines, REFRESH.delete, 'remove tasks of a deleted document');
    return orphans;
  }
}
