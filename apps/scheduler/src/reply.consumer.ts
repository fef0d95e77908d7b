import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { AmqpConnection } from '@golevelup/nestjs-rabbitmq';
import type { ConsumeMessage } from 'amqplib';
import {
  AMQP_SETTINGS,
  AmqpSettings,
  BROKER_CHANNELS,
  BatchingSubscriber,
  DANE_STORE,
  DISPATCHABLE_STATES,
  DaneStore,
  DaneTask,
  IncomingReply,
  REPLY_PREFETCH,
  ReplyDecision,
  TaskState,
  decideReply,
  readReply,
  serverQueueArguments,
} from '@dane/core';
import { FlowMetrics, ReplyKind, TaskMetrics } from '@dane/core/metrics';
import { DependencyService } from './dependency.service';
import { DispatchWakeups } from './dispatch-wakeups';
import { ResponseQueueGuard } from './response-queue-guard';
import { SCHEDULER_SETTINGS, SchedulerSettings } from './scheduler-settings';

/** Pause before applying a batch again when the store failed. */
const STORE_RETRY_MS = 1000;

interface ReadableReply {
  taskId: string;
  incoming: IncomingReply;
}

type TransitionDecision = Extract<ReplyDecision, { action: 'transition' }>;

/**
 * Consumes worker replies from the response queue (docs/protocol.md, Replies) and applies them as
 * conditional transitions from 102 (architecture principles 1–5). A golevelup subscriber that
 * batches (BatchingSubscriber): replies that arrived together are applied in one statement, then
 * acknowledged; no fixed wait. Applying a reply twice changes nothing. A malformed reply, an
 * unknown task or a stale attempt is acknowledged, logged and counted — never fatal.
 */
@Injectable()
export class ReplyConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ReplyConsumer.name);
  private readonly subscriber: BatchingSubscriber;
  /** A transition of the batch being applied set a back-off (not_before): the dispatcher's due timer must see it. */
  private backoffSet = false;
  /** A transition of the batch being applied made a task dispatchable (201, 205, 502, 503). */
  private madeDispatchable = false;
  /** A transition of the batch being applied took a task out of 102. */
  private madeRoom = false;
  readonly counters = { outcomes: 0, heartbeats: 0, malformed: 0, unknownTask: 0, stale: 0 };

  constructor(
    @Inject(DANE_STORE) private readonly store: DaneStore,
    connection: AmqpConnection,
    @Inject(AMQP_SETTINGS) private readonly amqp: AmqpSettings,
    @Inject(SCHEDULER_SETTINGS) private readonly settings: SchedulerSettings,
    private readonly wakeups: DispatchWakeups,
    private readonly dependencies: DependencyService,
    private readonly guard: ResponseQueueGuard,
    private readonly flow: FlowMetrics,
    private readonly metrics: TaskMetrics,
  ) {
    this.subscriber = new BatchingSubscriber(connection, {
      name: ReplyConsumer.name,
      queue: amqp.responseQueue,
      channel: BROKER_CHANNELS.replies,
      queueOptions: { durable: true, arguments: serverQueueArguments(amqp.queueType) },
      maxBatch: REPLY_PREFETCH,
      retryMs: STORE_RETRY_MS,
      handle: (batch) => this.applyBatch(batch),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    // Before our own consumer joins: someone else's would silently take part of our replies.
    await this.guard.check();
    this.subscriber.start();
  }

  async onModuleDestroy(): Promise<void> {
    // Replies not applied yet go back to the queue: another replica or the next start applies them.
    await this.subscriber.stop();
  }

  private async applyBatch(batch: ConsumeMessage[]): Promise<void> {
    this.madeDispatchable = false;
    this.madeRoom = false;
    this.backoffSet = false;
    await this.apply(batch);
    // Only a reply that made a task dispatchable again (a retry, a reset) gives the dispatcher work;
    // released dependants wake it through the dependency service.
    // With MAX_IN_FLIGHT_PER_KEY, a finished task also makes room for its key's next one.
    if (this.madeDispatchable || (this.madeRoom && this.settings.maxInFlightPerKey > 0)) this.wakeups.request(this.backoffSet);
  }

  private async apply(batch: ConsumeMessage[]): Promise<void> {
    const readable: ReadableReply[] = [];
    for (const msg of batch) {
      const read = readReply(msg);
      if (read.ok) readable.push({ taskId: read.taskId, incoming: read.incoming });
      else this.reject('reply_malformed', 'malformed', { task_id: read.taskId ?? null, reason: read.reason, body: preview(msg.content) });
    }
    if (readable.length === 0) return;

    const tasks = new Map((await this.store.tasks.findByIds([...new Set(readable.map((r) => r.taskId))])).map((t) => [t._id, t]));
    const now = new Date();
    const heartbeats: Promise<void>[] = [];
    const transitions: Array<{ task: DaneTask; incoming: IncomingReply; decision: TransitionDecision }> = [];
    const decided = new Set<string>();
    for (const { taskId, incoming } of readable) {
      const task = tasks.get(taskId);
      if (!task) {
        this.reject('reply_unknown_task', 'unknownTask', { task_id: taskId, state: incoming.reply.state });
        continue;
      }
      // A 412 is decided against the document's other tasks: what it may wait for, and what the server has done.
      const siblings = isDependencyReply(task, incoming) ? await this.dependencies.siblingKeys(task) : undefined;
      const decision = decideReply(task, incoming, { now, policy: this.settings.retry, unfinishedSiblings: siblings?.unfinished, doneSiblings: siblings?.done });
      if (decision.action === 'ignore') {
        this.reject('reply_stale', 'stale', { ...taskFields(task), reply_attempt: incoming.attempt ?? null, state: incoming.reply.state, reason: decision.reason });
      } else if (decision.action === 'heartbeat') {
        heartbeats.push(this.heartbeat(task, decision.attempt, decision.msg));
      } else if (decided.has(task._id)) {
        // Two outcomes for one task in one batch (a redelivery): the first one wins, as it would in turn.
        this.reject('reply_stale', 'stale', { ...taskFields(task), state: incoming.reply.state, reason: 'another reply for this attempt came first' });
      } else {
        decided.add(task._id);
        transitions.push({ task, incoming, decision });
      }
    }
    await Promise.all(heartbeats);
    if (transitions.length === 0) return;

    // The outcomes and the release of the dependants they complete: one store operation.
    const { stored, released } = await this.store.tasks.transitionManyAndRelease(transitions.map((t) => t.decision.request));
    // One line per task at INFO; not even built when the level is higher.
    const logOutcomes = Logger.isLevelEnabled('log');
    for (let i = 0; i < transitions.length; i++) {
      const { task, incoming, decision } = transitions[i];
      const after = stored[i];
      if (!after) {
        this.reject('reply_stale', 'stale', { ...taskFields(task), state: incoming.reply.state, reason: 'the task changed before the reply was applied' });
        continue;
      }
      this.counters.outcomes++;
      this.flow.reply('outcomes');
      this.metrics.finished(task, after.state, decision.effect);
      if (decision.request.notBefore) this.backoffSet = true;
      if (DISPATCHABLE_STATES.includes(after.state)) this.madeDispatchable = true;
      if (after.state !== TaskState.QUEUED) this.madeRoom = true;
      if (logOutcomes)
        this.logger.log(JSON.stringify({ event: 'task_outcome', ...taskFields(after), attempt: task.attempt, state: after.state, effect: decision.effect, msg: after.msg }));
      if (decision.effect === 'needs_person' || decision.effect === 'retries_spent') await this.dependencies.markBlocked(after);
      else if (decision.effect === 'waiting_for_dependencies') {
        for (const { entry, reason } of decision.rejected ?? []) {
          this.logger.warn(JSON.stringify({ event: 'dependency_rejected', ...taskFields(after), dependency: entry, reason }));
        }
        await this.dependencies.assignDependencies(after, decision.assign ?? []);
      }
    }
    this.dependencies.announceReleased(released);
  }

  private async heartbeat(task: DaneTask, attempt: number, msg: string): Promise<void> {
    const alive = await this.store.tasks.heartbeat(task._id, attempt, this.settings.leaseMs, msg);
    if (alive) {
      this.counters.heartbeats++;
      this.flow.reply('heartbeats');
      if (Logger.isLevelEnabled('debug')) this.logger.debug(JSON.stringify({ event: 'task_heartbeat', ...taskFields(task), attempt, msg }));
    } else {
      this.reject('reply_stale', 'stale', { ...taskFields(task), attempt, reason: 'heartbeat for a task no longer in flight' });
    }
  }

  private reject(event: string, counter: 'malformed' | 'unknownTask' | 'stale', fields: Record<string, unknown>): void {
    this.counters[counter]++;
    this.flow.reply(counter as ReplyKind);
    this.logger.warn(JSON.stringify({ event, ...fields, count: this.counters[counter] }));
  }
}

/** A 412 outcome for a task in flight: decideReply needs the states of the document's other tasks. */
function isDependencyReply(task: DaneTask, incoming: IncomingReply): boolean {
  return task.state === TaskState.QUEUED && incoming.kind === 'outcome' && incoming.reply.state === TaskState.UNFINISHED_DEPENDENCY;
}

function taskFields(task: DaneTask): Record<string, unknown> {
  return { task_id: task._id, document_id: task.document_id, key: task.key };
}

function preview(content: Buffer): string {
  return content.toString('utf8', 0, Math.min(content.length, 200));
}
