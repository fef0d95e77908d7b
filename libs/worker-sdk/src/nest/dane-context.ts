import { BaseRpcContext } from '@nestjs/microservices';
import type { DaneDocument } from '@dane/protocol';
import type { TaskContext } from '../execution/task-context';
import type { WorkerTask } from '../worker-task';

/** `@Ctx() ctx: DaneContext` in a handler: the task, its document, heartbeats and saveResult. */
export class DaneContext extends BaseRpcContext<[WorkerTask, DaneDocument, TaskContext]> {
  getTask(): WorkerTask {
    return this.args[0];
  }
  getDocument(): DaneDocument {
    return this.args[1];
  }
  getTaskContext(): TaskContext {
    return this.args[2];
  }
}

/** `@Payload() data: DaneTaskPayload` in a handler. */
export interface DaneTaskPayload {
  task: WorkerTask;
  document: DaneDocument;
}
