import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import {
  type ConfigValue,
  type DaneDocument,
  type DaneTask,
  InvalidStateError,
  type IncomingReply,
  TaskAssignedError,
  TaskState,
  TRANSITIONS,
  ValidationError,
  normaliseKey,
  parseReply,
  stateLabel,
  taskId,
  type TaskClaimDto,
  type TaskHeartbeatDto,
  type TaskOutcomeDto,
} from '@dane/protocol';
import { decideReply } from '../lifecycle/outcome';
import { dependencySpecs } from '../lifecycle/dependencies';
import { type RetryPolicy, retryPolicyFromConfig } from '../lifecycle/retry-policy';
import { DANE_STORE, DaneStore } from '../storage/store.port';
import { documentNotFound, taskNotFound } from './not-found';
import { TaskAssignmentService } from './task-assignment.service';
import { tasksOfDocument, unmetDependencies, waitingMessage } from './task-dependencies';

/** The msg of a task claimed by a batch run (docs/protocol.md, Batch runs). */
export const BATCH_CLAIM_MESSAGE = 'Claimed by a batch run';

/** States a batch run may claim a task from: the manual retry's (anything but 102 and 200); with force, 200 too. */
const CLAIMABLE: readonly number[] = TRANSITIONS.retry.from;
const CLAIMABLE_FORCED: readonly number[] = [...CLAIMABLE, TaskState.SUCCESS];

export interface TaskClaim {
  task: DaneTask;
  document: DaneDocument;
  /** The state the claim took it from (what a dispatched task message carries; docs/protocol.md, Task message). */
  previousState: number;
  /** How long the claim holds without a heartbeat (SCHEDULER.LEASE_SECONDS). */
  leaseSeconds: number;
}

/**
 * Tasks run by a worker outside the queue (batch mode; docs/protocol.md, Batch runs). The worker claims the task
 * (one conditional write: → 102, attempt + 1, the lease of a started task), extends the lease with heartbeats and
 * reports the outcome, which is decided and applied exactly as the scheduler applies a reply from the response queue
 * (lifecycle/outcome.ts: retries and back-off, 412 dependencies, waiting for a person). A batch run that dies leaves
 * a lease that runs out like a lost queue worker's.
 */
@Injectable()
export class TaskClaimService {
  private readonly logger = new Logger(TaskClaimService.name);
  private readonly leaseMs: number;
  private readonly policy: RetryPolicy;

  constructor(
    @Inject(DANE_STORE) private readonly store: DaneStore,
    private readonly assignment: TaskAssignmentService,
    config: ConfigService,
  ) {
    const section = config.get<Record<string, ConfigValue>>('SCHEDULER') ?? {};
    this.leaseMs = Math.max(1, Number(section.LEASE_SECONDS ?? 300)) * 1000;
    this.policy = retryPolicyFromConfig(section);
  }

  /**
   * Claims the task of `key` on the document, assigning it (in 201) when the document has none. 409 (InvalidStateError)
   * when the task is in flight (102), done (200, unless `force`), or waiting for a dependency that is not done.
   */
  async claim(body: TaskClaimDto): Promise<TaskClaim> {
    const key = normaliseKey(body.key);
    const document = await this.store.documents.findById(body.document_id);
    if (!document) throw documentNotFound(body.document_id);
    const id = taskId(document._id, key);
    let task = await this.store.tasks.findById(id);
    if (!task) {
      try {
        const assigned = await this.assignment.assign({ document_id: document._id, key });
        if (!assigned.many) task = assigned.task;
      } catch (err) {
        if (!(err instanceof TaskAssignedError)) throw err;
      }
      task = task ?? (await this.store.tasks.findById(id));
      if (!task) throw taskNotFound(id);
    }
    if (task.state === TaskState.UNFINISHED_DEPENDENCY) {
      const unmet = unmetDependencies(await tasksOfDocument(this.store, document._id), task.depends_on ?? []);
      if (unmet.length > 0) throw new InvalidStateError(`Task \`${key}\` of document \`${document._id}\` is waiting: ${waitingMessage(unmet)}`);
    }
    const claimed = await this.store.tasks.claimOne(id, body.force ? CLAIMABLE_FORCED : CLAIMABLE, this.leaseMs, BATCH_CLAIM_MESSAGE);
    if (!claimed) {
      const now = (await this.store.tasks.findById(id)) ?? task;
      throw new InvalidStateError(this.refusal(now, body.force === true));
    }
    this.logger.log(JSON.stringify({ event: 'task_claimed', task_id: id, document_id: document._id, key, from: task.state, attempt: claimed.attempt }));
    return { task: claimed, document, previousState: task.state, leaseSeconds: this.leaseMs / 1000 };
  }

  /** Extends the claim's lease (and sets the progress text); 409 when the task is no longer in flight at that attempt. */
  async heartbeat(id: string, body: TaskHeartbeatDto): Promise<{ leaseSeconds: number }> {
    if (await this.store.tasks.heartbeat(id, body.attempt, this.leaseMs, body.message)) return { leaseSeconds: this.leaseMs / 1000 };
    const task = await this.store.tasks.findById(id);
    if (!task) throw taskNotFound(id);
    throw new InvalidStateError(`Task \`${id}\` is not in flight at attempt ${body.attempt} (it is in ${stateLabel(task.state)} at attempt ${task.attempt ?? 0})`);
  }

  /**
   * The worker's outcome for the claimed attempt, applied like a reply on the response queue (ReplyConsumer):
   * decideReply, one conditional transition from 102 at that attempt with the release of the dependants it completes,
   * then the dependants' message (needs a person) or the dependencies' assignment (412). Answers the task as stored.
   */
  async complete(id: string, body: TaskOutcomeDto): Promise<DaneTask> {
    if (body.state === TaskState.QUEUED) throw new ValidationError('state 102 is not an outcome: send a heartbeat to POST /DANE/task/<id>/heartbeat');
    const reply: Record<string, unknown> = { state: body.state, message: body.message };
    if (body.dependencies !== undefined) reply.dependencies = body.dependencies;
    if (body.retry_after_ms !== undefined) reply.retry_after_ms = body.retry_after_ms;
    const parsed = parseReply(JSON.stringify(reply));
    if (!parsed.ok) throw new ValidationError(`Invalid outcome: ${parsed.reason}`);
    const incoming: IncomingReply = { kind: body.refused ? 'refused' : 'outcome', reply: parsed.reply, attempt: body.attempt };

    const task = await this.store.tasks.findById(id);
    if (!task) throw taskNotFound(id);
    const unnamed = body.state === TaskState.UNFINISHED_DEPENDENCY && dependencySpecs(parsed.reply.dependencies ?? [], task.key).specs.length === 0;
    const unfinishedSiblings = unnamed
      ? (await tasksOfDocument(this.store, task.document_id)).filter((t) => t._id !== task._id && t.state !== TaskState.SUCCESS).map((t) => t.key)
      : undefined;
    const decision = decideReply(task, incoming, { now: new Date(), policy: this.policy, unfinishedSiblings });
    if (decision.action === 'ignore') throw new InvalidStateError(`Outcome for task \`${id}\` not applied: ${decision.reason}`);
    if (decision.action === 'heartbeat') throw new ValidationError('state 102 is not an outcome');

    const { stored } = await this.store.tasks.transitionManyAndRelease([decision.request]);
    const after = stored[0];
    if (!after) throw new InvalidStateError(`Outcome for task \`${id}\` not applied: the task changed before it was written`);
    this.logger.log(
      JSON.stringify({
        event: 'task_outcome',
        task_id: id,
        document_id: after.document_id,
        key: after.key,
        attempt: task.attempt,
        state: after.state,
        effect: decision.effect,
        mode: 'batch',
      }),
    );
    if (decision.effect === 'needs_person' || decision.effect === 'retries_spent') {
      await this.store.tasks.annotateDependants(after.document_id, after.key, `blocked by ${after.key}: ${stateLabel(after.state)}`);
    } else if (decision.effect === 'waiting_for_dependencies') {
      for (const spec of decision.assign ?? []) {
        try {
          await this.assignment.assign({ document_id: after.document_id, ...spec });
        } catch (err) {
          if (!(err instanceof TaskAssignedError))
            this.logger.warn(JSON.stringify({ event: 'dependency_assign_failed', task_id: id, dependency: spec.key, error: (err as Error).message }));
        }
      }
      await this.store.tasks.releaseDependants([after.document_id]);
      return (await this.store.tasks.findById(id)) ?? after;
    }
    return after;
  }

  private refusal(task: DaneTask, force: boolean): string {
    const what = `Task \`${task.key}\` of document \`${task.document_id}\``;
    if (task.state === TaskState.QUEUED) return `${what} is in flight (102 at attempt ${task.attempt ?? 0}): another worker or batch run has it`;
    if (task.state === TaskState.SUCCESS && !force) return `${what} is done (200); claim it with force to run it again`;
    return `${what} cannot be claimed from ${stateLabel(task.state)}`;
  }
}
