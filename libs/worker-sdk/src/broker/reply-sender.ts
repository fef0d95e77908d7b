import type { MessagePropertyHeaders } from 'amqplib';
import { pythonJsonDumps } from '@dane/core/protocol';
import type { WorkerOutcome } from '../worker-task';
import { ATTEMPT_HEADER, REPLY_KIND_HEADER } from '../protocol/headers';
import type { Delivery } from './delivery';
import { BrokerPublisher } from './publisher';

export type ReplyKindValue = 'heartbeat' | 'refused';

/**
 * Replies as the Python worker sends them (§3.4, Appendix C): default exchange, routing key =
 * reply_to, correlation_id echoed, persistent, body `{"state": …, "message": …}` with json.dumps
 * spacing. Our extensions ride in headers the original server ignores: the task's `x-dane-attempt`
 * echoed (so a late reply of an old attempt cannot overwrite a newer one) and `x-dane-kind`.
 */
export class ReplySender {
  constructor(private readonly publisher: BrokerPublisher) {}

  async send(delivery: Delivery, outcome: WorkerOutcome, kind?: ReplyKindValue, waitMs?: number): Promise<void> {
    const { replyTo, correlationId, headers: incoming } = delivery.message.properties;
    const headers: MessagePropertyHeaders = {};
    if (incoming?.[ATTEMPT_HEADER] !== undefined) headers[ATTEMPT_HEADER] = incoming[ATTEMPT_HEADER];
    if (kind) headers[REPLY_KIND_HEADER] = kind;
    const { state, message, ...rest } = outcome;
    const body = Buffer.from(pythonJsonDumps({ state, message, ...rest }), 'utf8');
    await this.publisher.sendToQueue(
      String(replyTo),
      body,
      { correlationId, persistent: true, headers: Object.keys(headers).length ? headers : undefined },
      waitMs,
    );
  }
}
