import { Inject, Injectable, Logger } from '@nestjs/common';
import { AmqpConnection } from '@golevelup/nestjs-rabbitmq';
import { AMQP_SETTINGS } from '../broker/broker.tokens';
import { AmqpSettings, DaneDocument, DaneResult, DaneTask, DaneEvent, encodeEvent } from '@dane/protocol';
import { FlowMetrics } from '../metrics/flow-metrics';

/** An event the broker has not confirmed by then is given up (and counted): the sweeper is the safety net. */
const EVENT_CONFIRM_TIMEOUT_MS = 10_000;

/**
 * Publishes DANE-events after the store committed a change (persistent, on the confirm channel).
 * An event is a notification, never state: a consumer re-reads the store. Publishing never blocks
 * the write that caused it and never fails it; a lost event (broker away, crash) is healed by the
 * scheduler's sweep. RABBITMQ.EVENTS: false turns it off.
 */
@Injectable()
export class EventPublisher {
  private readonly logger = new Logger('Events');
  readonly enabled: boolean;
  private readonly local: Array<(event: DaneEvent) => void> = [];

  constructor(
    private readonly amqp: AmqpConnection,
    @Inject(AMQP_SETTINGS) private readonly settings: AmqpSettings,
    private readonly metrics: FlowMetrics,
  ) {
    this.enabled = settings.events;
  }

  /**
   * Also hands every event this process publishes to `listener`, synchronously and whether or not
   * RABBITMQ.EVENTS is on: a scheduler in the same process (single-machine mode) wakes without a
   * broker round trip.
   */
  onPublished(listener: (event: DaneEvent) => void): void {
    this.local.push(listener);
  }

  private get wanted(): boolean {
    return this.enabled || this.local.length > 0;
  }

  taskChanged(tasks: ReadonlyArray<DaneTask>, previous: (task: DaneTask, i: number) => number | null): void {
    if (!this.wanted || tasks.length === 0) return;
    const at = new Date().toISOString();
    this.publish(
      tasks.map((t, i): DaneEvent => ({
        type: 'task',
        task_id: t._id,
        document_id: t.document_id,
        key: t.key,
        state: t.state,
        previous_state: previous(t, i),
        attempt: t.attempt,
        msg: t.msg,
        at,
      })),
    );
  }

  /** A change of many tasks the store counted but did not list (mass reset). */
  tasksChangedInBulk(key: string, state: number, count: number): void {
    if (!this.wanted || count === 0) return;
    this.publish([{ type: 'task', task_id: null, document_id: null, key, state, previous_state: null, attempt: null, msg: '', at: new Date().toISOString(), count }]);
  }

  documentsRegistered(docs: ReadonlyArray<DaneDocument>): void {
    this.documents('document.registered', docs);
  }

  documentsDeleted(docs: ReadonlyArray<DaneDocument>): void {
    this.documents('document.deleted', docs);
  }

  resultStored(result: DaneResult): void {
    if (!this.wanted) return;
    this.publish([{ type: 'result.stored', result_id: result._id, task_id: result.task_id, document_id: result.document_id, key: result.task_key, at: new Date().toISOString() }]);
  }

  private documents(type: 'document.registered' | 'document.deleted', docs: ReadonlyArray<DaneDocument>): void {
    if (!this.wanted || docs.length === 0) return;
    const at = new Date().toISOString();
    this.publish(docs.map((d): DaneEvent => ({ type, document_id: d._id, target_id: String(d.target.id), creator_id: String(d.creator.id), at })));
  }

  private publish(events: DaneEvent[]): void {
    for (const event of events) {
      for (const listener of this.local) {
        try {
          listener(event);
        } catch (err) {
          this.logger.warn(JSON.stringify({ event: 'event_listener_failed', error: (err as Error)?.message }));
        }
      }
    }
    if (!this.enabled) return;
    for (const event of events) {
      const { routingKey, body, properties } = encodeEvent(event);
      this.amqp.publish(this.settings.eventsExchange, routingKey, body, { ...properties, persistent: true, timeout: EVENT_CONFIRM_TIMEOUT_MS } as never).then(
        () => this.metrics.eventPublished(event.type),
        (err: Error) => {
          this.metrics.eventFailed(event.type);
          this.logger.warn(JSON.stringify({ event: 'event_publish_failed', routing_key: routingKey, error: err?.message }));
        },
      );
    }
  }
}
