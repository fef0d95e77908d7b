import { Inject, Injectable } from '@nestjs/common';
import { validateResult, NotFoundError, ValidationError, createResult, DaneResult, parseResultInput, normaliseKey, Page, PageRequest } from '@dane/protocol';
import { DANE_STORE, DaneStore, ResultQuery } from '../storage/store.port';
import { resultNotFound, taskNotFound } from './not-found';

/** Results of tasks: stored through the API (workers may also send them over the broker). */
@Injectable()
export class ResultService {
  constructor(@Inject(DANE_STORE) private readonly store: DaneStore) {}

  /**
   * Stores a result `{generator, payload}` for a task. The task comes from the path or from
   * `task_id` in the body; both given and different is a 400.
   */
  async save(body: unknown, pathTaskId?: string): Promise<DaneResult> {
    const dto = validateResult(body);
    const input = parseResultInput(dto);
    const named = dto.task_id;
    if (pathTaskId !== undefined && named && named !== pathTaskId) {
      throw new ValidationError(`task_id \`${named}\` in the body differs from the task \`${pathTaskId}\` of the path`);
    }
    const taskId = pathTaskId ?? named ?? undefined;
    if (!taskId) throw new ValidationError('task_id is required');
    const task = await this.store.tasks.findById(taskId);
    if (!task) throw taskNotFound(taskId);
    try {
      return await this.store.results.insert(createResult(task, input));
    } catch (err) {
      if (err instanceof NotFoundError) throw taskNotFound(taskId);
      throw err;
    }
  }

  async get(id: string): Promise<DaneResult> {
    const result = await this.store.results.findById(id);
    if (!result) throw resultNotFound(id);
    return result;
  }

  async delete(id: string): Promise<void> {
    if (!(await this.store.results.delete(id))) throw resultNotFound(id);
  }

  async ofTask(taskId: string, page: PageRequest): Promise<Page<DaneResult>> {
    if (!(await this.store.tasks.findById(taskId))) throw taskNotFound(taskId);
    return this.store.results.find({ taskId }, page);
  }

  /** Filters combine with AND; task keys and generator names are matched upper-cased, as stored. */
  async find(query: ResultQuery, page: PageRequest): Promise<Page<DaneResult>> {
    return this.store.results.find(
      {
        ...query,
        taskKey: query.taskKey === undefined ? undefined : normaliseKey(query.taskKey, 'task_key'),
        generatorName: query.generatorName?.toUpperCase(),
      },
      page,
    );
  }

  async ofCreator(creatorId: string, taskKey: string, page: PageRequest): Promise<Page<DaneResult>> {
    return this.find({ creatorId, taskKey }, page);
  }
}
