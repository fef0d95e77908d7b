import { decodeTaskEnvelope, encodeHeartbeat, encodeReply, type EncodedReply, type ReplyAddress, type ReplyKindHeaderValue } from '@dane/protocol';
import type { WorkerOutcome } from '../worker-task';
import type { Delivery } from './delivery';
import { BrokerPublisher } from './publisher';

export type ReplyKindValue = ReplyKindHeaderValue;

/**
 * Replies as the Python worker sends them (docs/protocol.md, Replies), encoded by the protocol module
 * (@dane/protocol encodeReply / encodeHeartbeat): default exchange, routing key = reply_to,
 * correlation_id echoed, persistent, json.dumps body; the task's attempt echoed in `x-dane-attempt`
 * (so a late reply of an old attempt cannot overwrite a newer one) and `x-dane-kind`.
 */
export class ReplySender {
  constructor(private readonly publisher: BrokerPublisher) {}

  async send(delivery: Delivery, outcome: WorkerOutcome, kind?: ReplyKindValue, waitMs?: number): Promise<void> {
    await this.publish(encodeReply(replyAddressOf(delivery), outcome, kind), waitMs);
  }

  /** A heartbeat (state 102, `x-dane-kind: heartbeat`), optionally with progress. */
  async heartbeat(delivery: Delivery, progress?: string, waitMs?: number): Promise<void> {
    await this.publish(encodeHeartbeat(replyAddressOf(delivery), progress), waitMs);
  }

  private async publish(reply: EncodedReply, waitMs?: number): Promise<void> {
    await this.publisher.sendToQueue(reply.queue, reply.body, reply.properties, waitMs);
  }
}

/** reply_to, correlation_id and attempt of the task frame a reply answers. */
function replyAddressOf(delivery: Delivery): ReplyAddress {
  const envelope = decodeTaskEnvelope(delivery.message.properties);
  return { replyTo: String(delivery.message.properties.replyTo), taskId: envelope.taskId, attempt: envelope.attempt };
}
