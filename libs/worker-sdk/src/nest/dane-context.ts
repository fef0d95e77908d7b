import { BaseRpcContext } from '@nestjs/microservices';
import type { DaneDocument } from '@dane/protocol';
import type { TaskContext } from '../execution/task-context';
import type { WorkerLog } from '../log/worker-log';
import type { WorkerTask } from '../worker-task';

/**
 * `@Ctx() ctx: DaneContext` in a `@MessagePattern('<KEY>')` handler: the task being run, its
 * document, and what the handler can do besides returning its outcome — the same TaskContext a
 * DaneWorker callback or a `createWorker` handler gets, so code written for one runs in the other:
 *
 *   @MessagePattern('WORDCOUNT')
 *   async count(@Ctx() ctx: DaneContext) {
 *     await ctx.heartbeat('reading');                        // state 102 with this message
 *     await ctx.saveResult({ words: 42 });                  // stored as a result of this task
 *     return { state: 200, message: `counted ${ctx.document.target.id}` };
 *   }
 *
 * `getTask()`, `getDocument()` and `getTaskContext()` are the Nest-style getters of the same.
 */
export class DaneContext extends BaseRpcContext<[WorkerTask, DaneDocument, TaskContext]> implements TaskContext {
  /** The task being run: `_id`, upper-case `key`, `args`, `priority`, `attempt`. */
  get task(): WorkerTask {
    return this.args[0];
  }

  /** Its document: `_id`, `target` (`id` a string, `url`, `type`, extra keys), `creator`. */
  get document(): DaneDocument {
    return this.args[1];
  }

  /** Dispatch attempt (header `x-dane-attempt`); undefined from servers without it. */
  get attempt(): number | undefined {
    return this.args[2].attempt;
  }

  /** Log lines that carry task_id and document_id. */
  get log(): WorkerLog {
    return this.args[2].log;
  }

  /** Aborted when the worker stops and this task did not finish within the shutdown timeout. */
  get signal(): AbortSignal {
    return this.args[2].signal;
  }

  /** Report progress now (state 102 with this message); automatic heartbeats repeat the last one. */
  heartbeat(progress?: string): Promise<void> {
    return this.args[2].heartbeat(progress);
  }

  /**
   * Store a result for this task (sent with the worker's generator over the broker); resolves with
   * its message id once the broker has it. Await it before returning the outcome.
   */
  saveResult(payload: Record<string, unknown>): Promise<string> {
    return this.args[2].saveResult(payload);
  }

  getTask(): WorkerTask {
    return this.task;
  }

  getDocument(): DaneDocument {
    return this.document;
  }

  /** The underlying TaskContext (the context itself does all it does). */
  getTaskContext(): TaskContext {
    return this.args[2];
  }
}

/** `@Payload() data: DaneTaskPayload` in a handler. */
export interface DaneTaskPayload {
  task: WorkerTask;
  document: DaneDocument;
}
