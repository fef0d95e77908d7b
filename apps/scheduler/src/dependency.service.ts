import { DispatchWakeups } from './dispatch-wakeups';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { DANE_STORE, DaneStore, DaneTask, TaskSpec, TaskAssignedError, isDone, stateInfo } from '@dane/core';
import { tasksOfDocument } from '@dane/core/services/task-dependencies';
import { TaskAssignmentService } from '@dane/core/services/task-assignment.service';

/**
 * Dependencies are resolved by the server (architecture principle 5): a 412 task is released the
 * moment its last dependency reaches 200, without a broker round trip; a dependency that needs a
 * person is visible on its dependants.
 */
@Injectable()
export class DependencyService {
  private readonly logger = new Logger(DependencyService.name);

  constructor(
    @Inject(DANE_STORE) private readonly store: DaneStore,
    private readonly assignment: TaskAssignmentService,
    private readonly wakeups: DispatchWakeups,
  ) {}

  /** After successes on these documents: their waiting tasks whose dependencies are all 200 → 201. */
  async releaseDependants(documentIds: string[]): Promise<DaneTask[]> {
    if (documentIds.length === 0) return [];
    const released = await this.store.tasks.releaseDependants([...new Set(documentIds)]);
    this.announceReleased(released);
    return released;
  }

  /** Every document (the sweep): heals a release lost to a crash between a reply and its effects. */
  async releaseAll(): Promise<DaneTask[]> {
    const released = await this.store.tasks.releaseDependants();
    this.announceReleased(released);
    return released;
  }

  /** A task that now waits for a person blocks its dependants: say so in their message. */
  async markBlocked(task: DaneTask): Promise<void> {
    const name = stateInfo(task.state)?.name ?? String(task.state);
    await this.store.tasks.annotateDependants(task.document_id, task.key, `blocked by ${task.key}: ${task.state} ${name}`);
  }

  /**
   * Keys of the document's other tasks, unfinished and done, for a 412 reply: what a 412 with an empty dependency
   * list (assigned but unfinished; docs/protocol.md, Dependencies) may be waiting for, and which named
   * dependencies the server already has in 200 (a worker that disagrees; lifecycle/outcome.ts, waitForDependencies).
   */
  async siblingKeys(task: DaneTask): Promise<{ unfinished: string[]; done: string[] }> {
    const siblings = (await tasksOfDocument(this.store, task.document_id)).filter((t) => t._id !== task._id);
    return { unfinished: siblings.filter((t) => !isDone(t.state)).map((t) => t.key), done: siblings.filter((t) => isDone(t.state)).map((t) => t.key) };
  }

  /**
   * Assigns the dependencies a worker named in a 412 reply (docs/protocol.md, Dependencies). Each is assigned
   * on its own: one already assigned (TaskAssignedError) or invalid does not stop the others. Then the
   * waiting task is released at once if its dependencies were done meanwhile.
   */
  async assignDependencies(waiting: DaneTask, specs: TaskSpec[]): Promise<void> {
    const fields = { task_id: waiting._id, document_id: waiting.document_id, key: waiting.key };
    for (const spec of specs) {
      try {
        const { task } = (await this.assignment.assign({ document_id: waiting.document_id, ...spec })) as { task: DaneTask };
        this.logger.log(JSON.stringify({ event: 'dependency_assigned', ...fields, dependency: spec.key, dependency_task_id: task._id, state: task.state }));
      } catch (err) {
        if (err instanceof TaskAssignedError) continue;
        this.logger.warn(JSON.stringify({ event: 'dependency_assign_failed', ...fields, dependency: spec.key, error: err.message }));
      }
    }
    await this.releaseDependants([waiting.document_id]);
  }

  /** Logs tasks released from 412 (by any path) and wakes the dispatcher. */
  announceReleased(released: DaneTask[]): void {
    if (released.length === 0) return;
    for (const t of released) {
      this.logger.log(JSON.stringify({ event: 'dependants_released', task_id: t._id, document_id: t.document_id, key: t.key, state: t.state }));
    }
    this.wakeups.request();
  }
}
