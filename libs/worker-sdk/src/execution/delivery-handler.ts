import { type DaneDocument, decodeTaskFrame } from '@dane/protocol';
import type { Delivery } from '../broker/delivery';
import type { ReplyKindValue, ReplySender } from '../broker/reply-sender';
import type { ResultSender } from '../broker/result-sender';
import { WorkerLog } from '../log/worker-log';
import { ReplyKind } from '../protocol/headers';
import { Outcomes } from '../protocol/outcomes';
import type { WorkerOutcome, WorkerTask } from '../worker-task';
import { Heartbeat } from './heartbeat';
import { invokeHandler, TaskHandler } from './invoke-handler';
import { RunContext } from './task-context';
import { Cancellations, TaskCancelledError } from './cancellations';

export interface DeliveryPolicy {
  dependsOn: string[];
  heartbeatIntervalMs: number;
  /** See TaskConsumerOptions.ackDeadlineMs. */
  ackDeadlineMs: number;
}

/**
 * The life of one task message: check it (the table in docs/protocol.md, Replies), check declared
 * dependencies, run the callback with heartbeats, reply, and acknowledge after the reply is confirmed.
 * `handle` resolves when the callback is over (the concurrency slot is free); the reply's confirm and
 * the ack that follows it continue in the background (`settled()` waits for them).
 */
export class DeliveryHandler {
  constructor(
    private readonly handler: TaskHandler,
    private readonly replies: ReplySender,
    private readonly results: ResultSender,
    private readonly policy: DeliveryPolicy,
    private readonly log: WorkerLog,
    private readonly shutdownSignal: AbortSignal,
    private readonly cancellations: Cancellations = new Cancellations(),
  ) {}

  /** Replies published and not yet confirmed (then acknowledged). */
  private readonly settling = new Set<Promise<void>>();

  /** Resolves when every reply published so far is confirmed (or failed) and its message settled. */
  async settled(): Promise<void> {
    while (this.settling.size > 0) await Promise.allSettled([...this.settling]);
  }

  async handle(delivery: Delivery): Promise<void> {
    const frame = decodeTaskFrame(delivery.message);
    const { envelope } = frame;
    const attempt = envelope.attempt;
    const log = this.log.with({ task_id: envelope.taskId ?? null, attempt });
    if (!envelope.replyTo) {
      // The Python worker died on this (docs/protocol.md, Task message) and took every next worker
      // with it. Nobody can be told, so drop it; the server's lease sees the task was never answered.
      log.error('no_reply_to', 'Task message without reply_to: acknowledged and dropped');
      delivery.ack();
      return;
    }
    // Read as a frame without attempt (as from a Python DANE server); the replies carry none either.
    if (envelope.attemptProblem) log.warn('invalid_attempt_header', envelope.attemptProblem);
    if (!frame.ok) {
      log.warn('invalid_task_message', frame.reply.message, { state: frame.reply.state, reason: frame.reason });
      this.reply(delivery, { ...frame.reply }, log);
      return;
    }
    const { task, document } = frame;
    const taskLog = this.log.with({ task_id: task._id, document_id: document._id, task_key: task.key, attempt });
    if (this.policy.dependsOn.length > 0 && !envelope.dependenciesDone) {
      taskLog.info('dependencies_unfinished', `Waiting for ${this.policy.dependsOn.join(', ')}`);
      this.reply(delivery, Outcomes.unfinishedDependencies(this.policy.dependsOn), taskLog);
      return;
    }
    if (task._id && this.cancellations.wasCancelled(task._id, attempt)) {
      // Cancelled while its message waited (docs/protocol.md, Cancellation): the server has it in 499 and would
      // ignore any reply, so it is not run and not answered.
      taskLog.info('task_skipped_cancelled', `Task ${task.key} was cancelled before it started; not run`);
      delivery.ack();
      return;
    }
    await this.run(delivery, task, document, taskLog);
  }

  private async run(delivery: Delivery, task: WorkerTask, document: DaneDocument, log: WorkerLog): Promise<void> {
    // ctx.signal: the worker stopping, or this task cancelled (a task.<KEY>.499 event; CancellationListener).
    const cancel = this.cancellations.start(task._id, task.attempt, this.shutdownSignal);
    const ctx = new RunContext(task, document, log, cancel.signal, {
      heartbeat: (progress) => this.replies.heartbeat(delivery, progress, 5_000),
      saveResult: (payload) => this.results.save(task, payload),
    });
    const heartbeat = new Heartbeat(this.policy.heartbeatIntervalMs, () => ctx.heartbeat());
    const earlyAck = this.scheduleEarlyAck(delivery, log, () => ctx.heartbeat());
    const started = Date.now();
    // One INFO line per task (task_finished, with its duration); the start is a DEBUG line.
    log.debug('task_started', `Processing task ${task.key}`);
    heartbeat.start();
    const { outcome, refused } = await invokeHandler(this.handler, task, document, ctx).finally(() => cancel.end());
    ctx.finish();
    // Aborted by a cancellation, not by the worker stopping (the same signal carries both).
    if (cancel.signal.reason instanceof TaskCancelledError) {
      // The reply still goes (the message is settled after it, as always); the server ignores it as stale.
      log.info('task_cancelled', `Task ${task.key} was cancelled while running; its reply ${outcome.state} will be ignored by the server`, {
        state: outcome.state,
        duration_ms: Date.now() - started,
      });
    }
    await heartbeat.stop();
    await earlyAck.cancel();
    log.info(refused ? 'task_refused' : 'task_finished', outcome.message, { state: outcome.state, duration_ms: Date.now() - started });
    this.reply(delivery, outcome, log, refused ? ReplyKind.REFUSED : undefined);
  }

  /**
   * Late ack (after the reply) is what the Python worker does, and it lets the broker hand a task to another
   * worker at once if this one dies. But RabbitMQ closes the channel of a consumer that holds a delivery
   * longer than its consumer timeout (30 min by default; docs/protocol.md, Connections and long tasks), which
   * killed long Python tasks. So a task still running after `ackDeadlineMs` is acknowledged early: from then
   * on the server's lease, kept alive by our heartbeats, is what guarantees it is not lost (a worker killed
   * with SIGKILL stops beating, the lease runs out, the scheduler dispatches it again).
   */
  private scheduleEarlyAck(delivery: Delivery, log: WorkerLog, beat: () => Promise<void>): { cancel(): Promise<void> } {
    let pending: Promise<void> | undefined;
    const ackNow = () => {
      pending = (async () => {
        // The ack frees a prefetch credit; the next message waits locally (concurrency still holds).
        // The heartbeat tells the server the task is started: its short running lease replaces the
        // long queue lease before the broker lets go of the message.
        await beat().catch((e) => log.warn('heartbeat_failed', `Heartbeat before the early ack failed: ${e.message}`));
        if (delivery.ack()) log.info('task_acked_early', `Acknowledged while running (ack deadline ${this.policy.ackDeadlineMs} ms); the lease covers the task now`);
      })();
    };
    const ms = this.policy.ackDeadlineMs;
    const timer = Number.isFinite(ms) ? setTimeout(ackNow, Math.max(0, ms)) : undefined;
    return {
      cancel: async () => {
        clearTimeout(timer);
        await pending;
      },
    };
  }

  /**
   * Reply, then ack once the broker confirmed the reply — in the background: the caller's slot is free
   * already. A reply that cannot be published is logged; the lease recovers the task.
   */
  private reply(delivery: Delivery, outcome: WorkerOutcome, log: WorkerLog, kind?: ReplyKindValue): void {
    const settle: Promise<void> = (async () => {
      try {
        await this.replies.send(delivery, outcome, kind);
      } catch (e) {
        log.error('reply_failed', `Reply ${outcome.state} could not be published: ${e.message}`, { state: outcome.state });
      }
      if (!delivery.isSettled && !delivery.ack()) log.warn('ack_failed', 'The channel of this task message is gone; the broker has requeued it');
    })().finally(() => this.settling.delete(settle));
    this.settling.add(settle);
  }
}
