import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy, Optional } from '@nestjs/common';
import type { Channel, ConsumeMessage } from 'amqplib';
import {
  AmqpConnection,
  AmqpSettings,
  DANE_STORE,
  DISPATCHABLE_STATES,
  DaneStore,
  DaneTask,
  IncomingReply,
  ManagedChannel,
  ReplyDecision,
  TaskState,
  declareExchange,
  declareResponseQueue,
  decideReply,
  dependencySpecs,
} from '@dane/core';
import { TaskMetrics } from '@dane/core/metrics';
import { SCHEDULER_AMQP_SETTINGS, SCHEDULER_BROKER } from './broker.provider';
import { DependencyService } from './dependency.service';
import { DispatchService } from './dispatch.service';
import { readReply } from './reply-envelope';
import { SCHEDULER_SETTINGS, SchedulerSettings } from './scheduler-settings';

/** Unacked replies the broker may hand us at once; also the largest batch applied in one statement. */
const PREFETCH = 200;
/** Pause before applying a batch again when the store failed. */
const STORE_RETRY_MS = 1000;

interface Delivery {
  ch: Channel;
  msg: ConsumeMessage;
}

interface ReadableReply {
  delivery: Delivery;
  taskId: string;
  incoming: IncomingReply;
}

type TransitionDecision = Extract<ReplyDecision, { action: 'transition' }>;

/**
 * Consumes worker replies from the response queue (§3.5) and applies them as conditional
 * transitions from 102 (architecture principles 1–5). Replies that arrived together (one read of the
 * socket, or while the previous batch was being applied) are applied in one statement, then
 * acknowledged with one multiple-ack; no fixed wait. Applying a reply twice changes nothing. A malformed
 * reply, an unknown task or a stale attempt is acknowledged, logged and counted — never fatal.
 */
@Injectable()
export class ReplyConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ReplyConsumer.name);
  private channel?: ManagedChannel;
  private pending: Delivery[] = [];
  private scheduled = false;
  private processing?: Promise<void>;
  private stopped = false;
  /** A transition of the batch being applied set a back-off (not_before): the dispatcher's due timer must see it. */
  private backoffSet = false;
  /** A transition of the batch being applied made a task dispatchable (201, 205, 502, 503). */
  private madeDispatchable = false;
  readonly counters = { outcomes: 0, heartbeats: 0, malformed: 0, unknownTask: 0, stale: 0 };

  constructor(
    @Inject(DANE_STORE) private readonly store: DaneStore,
    @Inject(SCHEDULER_BROKER) private readonly connection: AmqpConnection,
    @Inject(SCHEDULER_AMQP_SETTINGS) private readonly amqp: AmqpSettings,
    @Inject(SCHEDULER_SETTINGS) private readonly settings: SchedulerSettings,
    private readonly dispatch: DispatchService,
    private readonly dependencies: DependencyService,
    @Optional() private readonly metrics?: TaskMetrics,
  ) {}

  onApplicationBootstrap(): void {
    this.channel = this.connection.channel({
      setup: async (ch) => {
        await declareExchange(ch, this.amqp);
        await declareResponseQueue(ch, this.amqp);
        await ch.prefetch(PREFETCH);
        await ch.consume(this.amqp.responseQueue, (msg) => (msg ? this.receive(ch, msg) : this.onCancelled(ch)), { noAck: false });
      },
    });
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    await this.processing;
    // Replies still pending are unacked: the broker hands them to another replica or the next start.
    await this.channel?.close();
  }

  private receive(ch: Channel, msg: ConsumeMessage): void {
    this.pending.push({ ch, msg });
    this.schedule();
  }

  /**
   * Applies what is pending as soon as the current turn of the event loop is over (every reply
   * read from the socket in it joins the batch); while a batch is being applied, new replies wait
   * and form the next one. No timer: an idle consumer applies a lone reply at once.
   */
  private schedule(): void {
    if (this.scheduled || this.processing || this.stopped) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.processing ??= this.processPending().finally(() => {
        this.processing = undefined;
        if (this.pending.length > 0) this.schedule();
      });
    });
  }

  private async processPending(): Promise<void> {
    while (this.pending.length > 0 && !this.stopped) {
      await this.processBatch(this.pending.splice(0, PREFETCH));
    }
  }

  /** Applies a batch, retrying while the store is down; acks only after the writes. */
  private async processBatch(batch: Delivery[]): Promise<void> {
    for (;;) {
      try {
        await this.apply(batch);
        break;
      } catch (err) {
        this.logger.warn(JSON.stringify({ event: 'reply_batch_failed', replies: batch.length, error: err.message, retry_in_ms: STORE_RETRY_MS }));
        // Unacked replies of a closed channel are redelivered by the broker; drop our copies.
        batch = batch.filter((d) => d.ch === this.channel?.current);
        if (batch.length === 0 || this.stopped) return;
        await new Promise((r) => setTimeout(r, STORE_RETRY_MS));
      }
    }
    ackAll(batch);
    // Only a reply that made a task dispatchable again (a retry, a reset) gives the dispatcher work;
    // released dependants and newly assigned dependencies wake it through the store's notification.
    if (this.madeDispatchable) this.dispatch.wake(this.backoffSet);
    this.madeDispatchable = false;
    this.backoffSet = false;
  }

  private async apply(batch: Delivery[]): Promise<void> {
    const readable: ReadableReply[] = [];
    for (const delivery of batch) {
      const read = readReply(delivery.msg);
      if (read.ok) readable.push({ delivery, taskId: read.taskId, incoming: read.incoming });
      else this.reject('reply_malformed', 'malformed', { task_id: read.taskId ?? null, reason: read.reason, body: preview(delivery.msg.content) });
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
      const unfinishedSiblings = waitsForUnnamedDependency(task, incoming) ? await this.dependencies.unfinishedSiblings(task) : undefined;
      const decision = decideReply(task, incoming, { now, policy: this.settings.retry, unfinishedSiblings });
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

    const stored = await this.store.tasks.transitionMany(transitions.map((t) => t.decision.request));
    const succeededDocuments: string[] = [];
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
      this.metrics?.finished(task, after.state, decision.effect);
      if (decision.request.notBefore) this.backoffSet = true;
      if (DISPATCHABLE_STATES.includes(after.state)) this.madeDispatchable = true;
      if (logOutcomes) this.logger.log(JSON.stringify({ event: 'task_outcome', ...taskFields(after), attempt: task.attempt, state: after.state, effect: decision.effect, msg: after.msg }));
      if (decision.effect === 'succeeded') succeededDocuments.push(after.document_id);
      else if (decision.effect === 'needs_person' || decision.effect === 'retries_spent') await this.dependencies.markBlocked(after);
      else if (decision.effect === 'waiting_for_dependencies') {
        for (const { entry, reason } of decision.rejected ?? []) {
          this.logger.warn(JSON.stringify({ event: 'dependency_rejected', ...taskFields(after), dependency: entry, reason }));
        }
        await this.dependencies.assignDependencies(after, decision.assign ?? []);
      }
    }
    await this.dependencies.releaseDependants(succeededDocuments);
  }

  private async heartbeat(task: DaneTask, attempt: number, msg: string): Promise<void> {
    const alive = await this.store.tasks.heartbeat(task._id, attempt, this.settings.leaseMs, msg);
    if (alive) {
      this.counters.heartbeats++;
      if (Logger.isLevelEnabled('debug')) this.logger.debug(JSON.stringify({ event: 'task_heartbeat', ...taskFields(task), attempt, msg }));
    } else {
      this.reject('reply_stale', 'stale', { ...taskFields(task), attempt, reason: 'heartbeat for a task no longer in flight' });
    }
  }

  private reject(event: string, counter: 'malformed' | 'unknownTask' | 'stale', fields: Record<string, unknown>): void {
    this.counters[counter]++;
    this.logger.warn(JSON.stringify({ event, ...fields, count: this.counters[counter] }));
  }

  /** The broker cancelled our consumer (queue deleted): reopen the channel, which declares it again. */
  private onCancelled(ch: Channel): void {
    this.logger.warn(JSON.stringify({ event: 'reply_consumer_cancelled', queue: this.amqp.responseQueue }));
    ch.close().catch(() => undefined);
  }
}

/**
 * Acknowledges a batch with one multiple-ack per channel: deliveries arrive in tag order, and every
 * earlier delivery on that channel was in an earlier batch, already acknowledged.
 */
function ackAll(batch: Delivery[]): void {
  const last = new Map<Channel, ConsumeMessage>();
  for (const { ch, msg } of batch) {
    const prev = last.get(ch);
    if (!prev || msg.fields.deliveryTag > prev.fields.deliveryTag) last.set(ch, msg);
  }
  for (const [ch, msg] of last) {
    try {
      ch.ack(msg, true);
    } catch {
      // Channel gone: the replies come again and are then stale, which changes nothing.
    }
  }
}

/** A 412 naming no valid dependency: the waiting set must come from the document's other tasks. */
function waitsForUnnamedDependency(task: DaneTask, incoming: IncomingReply): boolean {
  return (
    task.state === TaskState.QUEUED &&
    incoming.kind === 'outcome' &&
    incoming.reply.state === TaskState.UNFINISHED_DEPENDENCY &&
    dependencySpecs(incoming.reply.dependencies ?? [], task.key).specs.length === 0
  );
}

function taskFields(task: DaneTask): Record<string, unknown> {
  return { task_id: task._id, document_id: task.document_id, key: task.key };
}

function preview(content: Buffer): string {
  return content.toString('utf8', 0, Math.min(content.length, 200));
}
