import { CustomTransportStrategy, Server } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import type { DaneDocument } from '@dane/protocol';
import { TaskConsumer } from '../broker/task-consumer';
import type { TaskContext } from '../execution/task-context';
import { logLevelOf, WorkerLog } from '../log/worker-log';
import { DaneWorkerOptions, resolveWorkerOptions } from '../worker-options';
import type { WorkerTask } from '../worker-task';
import { DaneContext, DaneTaskPayload } from './dane-context';

export type DaneTransportOptions = Omit<DaneWorkerOptions, 'bindingKey'> & {
  /** Default: `#.<KEY>` for every `@MessagePattern('<KEY>')` of the app. */
  bindingKey?: string | string[];
};

/**
 * A Nest microservice transport for the DANE protocol: one worker queue, handlers chosen by task
 * key with `@MessagePattern('ASR')`, the handler's `{state, message}` sent as the reply. Message
 * checks, dependencies, heartbeats, acks and results work exactly as in DaneWorker.
 *
 *   const app = await NestFactory.createMicroservice(AsrModule, { strategy: new DaneTransport({ queue: 'ASR' }) });
 */
export class DaneTransport extends Server implements CustomTransportStrategy {
  private consumer?: TaskConsumer;

  constructor(private readonly options: DaneTransportOptions) {
    super();
  }

  async listen(callback: (...optionalParams: unknown[]) => void): Promise<void> {
    try {
      const keys = this.options.bindingKey ?? [...this.messageHandlers.keys()].map((pattern) => `#.${pattern.toUpperCase()}`);
      const resolved = resolveWorkerOptions({ ...this.options, bindingKey: keys });
      const log = new WorkerLog(resolved.queue, logLevelOf(resolved.config.LOGGING?.LEVEL));
      this.consumer = new TaskConsumer(resolved.config, resolved, (task, document, ctx) => this.route(task, document, ctx), log);
      await this.consumer.start();
      callback();
    } catch (e) {
      callback(e);
    }
  }

  async close(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = undefined;
    await consumer?.stop(this.options.shutdownTimeoutMs ?? 25_000);
  }

  /** Task keys are upper-case (docs/protocol.md, Task); patterns are matched as written, then upper-cased. */
  private async route(task: WorkerTask, document: DaneDocument, ctx: TaskContext): Promise<unknown> {
    const handler = this.getHandlerByPattern(task.key) ?? this.findHandlerIgnoringCase(task.key);
    if (!handler) throw new Error(`no handler for task key ${task.key}`);
    const payload: DaneTaskPayload = { task, document };
    return lastValueFrom(this.transformToObservable(await handler(payload, new DaneContext([task, document, ctx]))));
  }

  private findHandlerIgnoringCase(key: string) {
    for (const [pattern, handler] of this.messageHandlers) if (pattern.toUpperCase() === key) return handler;
    return null;
  }

  on(): void {
    throw new Error('DaneTransport has no events to listen to');
  }

  unwrap<T>(): T {
    if (!this.consumer) throw new Error('DaneTransport is not listening');
    return this.consumer.connection as T;
  }
}
