import { Injectable } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { TaskMetrics } from './task-metrics';

export type DispatchOutcomeKind = 'dispatched' | 'unroutable' | 'publishFailed';
export type ReplyKind = 'outcomes' | 'heartbeats' | 'malformed' | 'unknownTask' | 'stale';
export type SweeperKind = 'sweeps' | 'expired' | 'workerLost' | 'released';
export type ResultMessageKind = 'stored' | 'malformed' | 'unknownTask' | 'cancelledTask';

/**
 * Counters of the message flow, on the process's TaskMetrics registry, injected into the services
 * that count (dispatch, reply and result consumers, sweeper, event publisher) in whichever process
 * hosts them: a split deployment's scheduler and results processes export them on their own
 * `/metrics` port (METRICS.PORT), the api on its HTTP port.
 */
@Injectable()
export class FlowMetrics {
  private readonly dispatchTotal: Counter<'outcome'>;
  private readonly repliesTotal: Counter<'kind'>;
  private readonly sweeperTotal: Counter<'kind'>;
  private readonly resultMessagesTotal: Counter<'kind'>;
  private readonly resultsStored: Counter;
  private readonly eventsTotal: Counter<'type' | 'outcome'>;
  private readonly stuckTasks: Gauge;

  constructor(private readonly metrics: TaskMetrics) {
    const registers = [metrics.registry];
    this.dispatchTotal = new Counter({
      name: 'dane_dispatch_total',
      help: 'Dispatch outcomes of claimed tasks (dispatched, unroutable, publishFailed)',
      labelNames: ['outcome'],
      registers,
    });
    this.repliesTotal = new Counter({
      name: 'dane_replies_total',
      help: 'Worker replies by what became of them (outcomes, heartbeats, malformed, unknownTask, stale)',
      labelNames: ['kind'],
      registers,
    });
    this.sweeperTotal = new Counter({ name: 'dane_sweeper_total', help: 'Lease sweeper activity (sweeps, expired, workerLost, released)', labelNames: ['kind'], registers });
    this.resultMessagesTotal = new Counter({
      name: 'dane_result_messages_total',
      help: 'Result messages from workers (stored, malformed, unknownTask, cancelledTask: dropped, the task was cancelled)',
      labelNames: ['kind'],
      registers,
    });
    this.resultsStored = new Counter({ name: 'dane_results_stored_total', help: 'Results stored from worker result messages by this process', registers });
    this.eventsTotal = new Counter({
      name: 'dane_events_total',
      help: 'DANE-events published by this process, by type and outcome (confirmed, failed)',
      labelNames: ['type', 'outcome'],
      registers,
    });
    this.stuckTasks = new Gauge({ name: 'dane_tasks_stuck', help: 'Tasks the last sweep found runnable or waiting for longer than SCHEDULER.STUCK_AFTER_SECONDS', registers });
  }

  dispatch(outcome: DispatchOutcomeKind, n = 1): void {
    this.dispatchTotal.inc({ outcome }, n);
  }

  reply(kind: ReplyKind): void {
    this.repliesTotal.inc({ kind });
    if (kind === 'malformed' || kind === 'unknownTask' || kind === 'stale') this.metrics.countRejectedReply(kind);
  }

  sweeper(kind: SweeperKind, n = 1): void {
    if (n > 0) this.sweeperTotal.inc({ kind }, n);
  }

  stuck(n: number): void {
    this.stuckTasks.set(n);
  }

  resultMessage(kind: ResultMessageKind): void {
    this.resultMessagesTotal.inc({ kind });
    if (kind === 'stored') this.resultsStored.inc();
  }

  eventPublished(type: string): void {
    this.eventsTotal.inc({ type, outcome: 'confirmed' });
  }

  eventFailed(type: string): void {
    this.eventsTotal.inc({ type, outcome: 'failed' });
  }
}
