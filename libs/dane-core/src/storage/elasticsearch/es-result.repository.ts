import { createHash } from 'node:crypto';
import { NotFoundError, ValidationError, DaneResult, DaneTask, Page, PageRequest, pageOfItems } from '@dane/protocol';
import { ResultQuery, ResultRepository } from '../store.port';
import { EsHit, EsIndex, Query } from './es-index';
import { refuseNul } from './nul-text';
import { WRITE_ORDER, searchPage } from './paging';
import { IS_RESULT, IS_TASK, bool, createdBy, resultsOfTask, routedTo, taskKey } from './queries';
import { REFRESH } from './refresh-policy';
import { ResultSource, isResultSource, parentTaskId, resultFromHit, resultSource, taskFromHit } from './sources';
import { TaskWriter } from './task-writer';

/**
 * The id a result with a dedup key is stored under: a redelivery computes the same id, and
 * `op_type=create` lets only the first one in. 20 URL-safe characters, like the ES auto ids Python
 * results get (docs/protocol.md, Result id).
 */
export function dedupResultId(dedupKey: string): string {
  return createHash('sha1').update(`dane-result:${dedupKey}`, 'utf8').digest('base64url').slice(0, 20);
}

function noTask(id: string): NotFoundError {
  return new NotFoundError(`No task with id \`${id}\` found`);
}

/** Conditions on the result's task, inside one `has_parent` (Q7 requires a parent task, so orphans never show). */
function resultQuery(query: ResultQuery): Query {
  const onTask: Query[] = [IS_TASK];
  if (query.documentId !== undefined) onTask.push(routedTo(query.documentId));
  if (query.taskKey !== undefined) onTask.push(taskKey(query.taskKey));
  if (query.creatorId !== undefined) onTask.push(createdBy(query.creatorId));
  const must: Query[] = [{ has_parent: { parent_type: 'task', query: bool(onTask) } }, IS_RESULT];
  if (query.taskId !== undefined) must.push(resultsOfTask(query.taskId));
  if (query.generatorName !== undefined) must.push({ term: { 'result.generator.name': query.generatorName } });
  if (query.generatorId !== undefined) must.push({ term: { 'result.generator.id': query.generatorId } });
  return bool(must);
}

/**
 * Results in the original's layout (docs/protocol.md, Result; docs/protocol.md, Join field and routing):
 * routed by task id, join parent the task, written straight into the index by Python workers too — so
 * everything about a result beyond `{generator, payload}` (its document, its task key) is read from its task.
 */
export class EsResultRepository implements ResultRepository {
  private readonly taskReads: TaskWriter;

  constructor(private readonly index: EsIndex) {
    this.taskReads = new TaskWriter(index);
  }

  async insert(result: DaneResult, dedupKey?: string): Promise<DaneResult> {
    refuseNul({ generator: result.generator, payload: result.payload }, 'result');
    const task = await this.task(result.task_id);
    if (!task) throw noTask(result.task_id);
    const stored: DaneResult = {
      ...result,
      _id: dedupKey === undefined ? result._id : dedupResultId(dedupKey),
      task_id: task._id,
      document_id: task.document_id,
      task_key: task.key,
    };
    const created = await this.index.create(stored._id, resultSource(stored, dedupKey), { routing: task._id, refresh: REFRESH.create, what: 'store the result' });
    if (!created) return this.alreadyStored(stored, dedupKey);
    // The task deleted meanwhile: its results' deletion may have missed this one.
    if (!(await this.task(task._id))) {
      await this.index.delete(stored._id, { routing: task._id, refresh: REFRESH.delete });
      throw noTask(task._id);
    }
    return stored;
  }

  async findById(id: string): Promise<DaneResult | null> {
    const hit = await this.index.get<unknown>(id);
    if (!hit || !isResultSource(hit._source)) return null;
    const task = await this.task(hit._source.role.parent);
    return task ? resultFromHit(hit, task) : null;
  }

  /** Every given field must match; oldest first (readers take element 0; docs/protocol.md, Result id). */
  async find(query: ResultQuery, page: PageRequest): Promise<Page<DaneResult>> {
    const body = { _source: ['result', 'role', 'created_at', 'updated_at'], query: resultQuery(query) };
    const { hits, total, next } = await searchPage<ResultSource>(this.index, body, WRITE_ORDER, page, 'results');
    const tasks = await this.taskReads.readMany(hits.map((h) => parentTaskId(h) ?? ''));
    const items = hits.flatMap((hit) => {
      const task = tasks.get(parentTaskId(hit) ?? '');
      const result = task ? resultFromHit(hit, taskFromHit(task)!) : null;
      return result ? [result] : [];
    });
    return pageOfItems(items, page, total, { next });
  }

  async delete(id: string): Promise<boolean> {
    const hit = await this.index.get<unknown>(id);
    if (!hit || !isResultSource(hit._source)) return false;
    return this.index.delete(id, { routing: hit._source.role.parent, refresh: REFRESH.delete });
  }

  private async task(id: string): Promise<DaneTask | null> {
    const hit = await this.taskReads.read(id);
    return hit ? taskFromHit(hit) : null;
  }

  /** The id was taken: a redelivery (same dedup key, or the same result again on its task) gets the stored one. */
  private async alreadyStored(result: DaneResult, dedupKey?: string): Promise<DaneResult> {
    const hit = (await this.index.get<unknown>(result._id)) as EsHit<unknown> | null;
    const source = hit?._source;
    if (hit && isResultSource(source) && source.role.parent === result.task_id) {
      const sameKey = dedupKey === undefined || source.dane_node?.dedup_key === dedupKey;
      if (sameKey) return resultFromHit(hit, { _id: result.task_id, document_id: result.document_id, key: result.task_key })!;
    }
    throw new ValidationError(`Result id \`${result._id}\` is already used by another task`);
  }
}
