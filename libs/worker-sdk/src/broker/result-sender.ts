import { randomUUID } from 'node:crypto';
import type { Generator } from '@dane/core/model';
import type { ResultMessage } from '@dane/core/protocol';
import { ATTEMPT_HEADER } from '../protocol/headers';
import { BrokerPublisher } from './publisher';

/**
 * Results go to the results queue over the broker (workers never write the store, principle 7).
 * Each gets a fresh messageId: if a publish is retried after an unclear failure the results app
 * keeps only one copy.
 */
export class ResultSender {
  constructor(
    private readonly publisher: BrokerPublisher,
    private readonly resultQueue: string,
    private readonly generator: Generator,
  ) {}

  async save(task: { _id: string; attempt?: number }, payload: Record<string, unknown>): Promise<string> {
    assertPayload(payload);
    const messageId = randomUUID();
    const message: ResultMessage = { task_id: task._id, attempt: task.attempt, generator: { ...this.generator }, payload };
    await this.publisher.sendToQueue(this.resultQueue, Buffer.from(JSON.stringify(message), 'utf8'), {
      persistent: true,
      messageId,
      contentType: 'application/json',
      headers: task.attempt !== undefined ? { [ATTEMPT_HEADER]: task.attempt } : undefined,
    });
    return messageId;
  }
}

/** A result payload must be a dict (§1.3: Result() raises TypeError otherwise). */
export function assertPayload(payload: unknown): asserts payload is Record<string, unknown> {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw new TypeError('A result payload must be a JSON object');
  }
}
