import { type Generator, assertResultPayload, encodeResultMessage } from '@dane/protocol';
import { BrokerPublisher } from './publisher';

/**
 * Results go to the results queue over the broker (workers never write the store, principle 7),
 * encoded by the protocol module (@dane/protocol encodeResultMessage). Each gets a fresh messageId: if a
 * publish is retried after an unclear failure the results app keeps only one copy.
 */
export class ResultSender {
  constructor(
    private readonly publisher: BrokerPublisher,
    private readonly resultQueue: string,
    private readonly generator: Generator,
  ) {}

  async save(task: { _id: string; attempt?: number }, payload: Record<string, unknown>): Promise<string> {
    const encoded = encodeResultMessage({ taskId: task._id, attempt: task.attempt, generator: this.generator, payload });
    await this.publisher.sendToQueue(this.resultQueue, encoded.body, encoded.properties);
    return encoded.messageId;
  }
}

/** A result payload must be a dict (Result() raises TypeError otherwise; docs/protocol.md, Result). */
export const assertPayload: (payload: unknown) => asserts payload is Record<string, unknown> = assertResultPayload;
