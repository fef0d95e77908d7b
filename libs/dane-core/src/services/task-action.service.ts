import { Inject, Injectable, Logger } from '@nestjs/common';
import { InvalidStateError, ValidationError, DaneTask, normaliseKey, MASS_RESET_DEFAULT_STATE, RETRY_REFUSED_STATES, stateInfo, stateLabel, TRANSITIONS } from '@dane/protocol';
import { DANE_STORE, DaneStore, TransitionRequest } from '../storage/store.port';
import { taskNotFound } from './not-found';
import { dependantsOf, tasksOfDocument, unmetDependencies, waitingMessage } from './task-dependencies';

export const TASK_ACTIONS = ['retry', 'forceretry', 'reset'] as const;
export type TaskAction = (typeof TASK_ACTIONS)[number];

const RULES: Record<TaskAction, { from: readonly number[]; to: number; msg: string }> = {
  retry: { ...TRANSITIONS.retry, msg: 'Manual retry' },
  forceretry: { ...TRANSITIONS.forceRetry, msg: 'Forced retry' },
  reset: { ...TRANSITIONS.reset, msg: 'Reset' },
};

export interface TaskActionOptions {
  /** Also put the task's dependants (transitively) back to 412 waiting. */
  cascade?: boolean;
}

export interface MassResetOutcome {
  total: number;
  error: string;
}

/** `retry`, `RETRY`, `ForceRetry` … → the action; anything else is a 400 naming the allowed ones. */
export function parseTaskAction(raw: string): TaskAction {
  const action = raw.toLowerCase() as TaskAction;
  if (!TASK_ACTIONS.includes(action)) {
    throw new ValidationError(`Unknown task action \`${raw}\`; allowed actions: ${TASK_ACTIONS.join(', ')}`);
  }
  return action;
}

/**
 * The manual interventions (docs/protocol.md, Manual interventions). Each is a conditional transition in the
 * store; the task goes back to 201 (the scheduler dispatches it) or, when its own dependencies are not all
 * 200, to 412 until they are — "forced" overrides the task's state, never its dependencies.
 */
@Injectable()
export class TaskActionService {
  private readonly logger = new Logger(TaskActionService.name);

  constructor(@Inject(DANE_STORE) private readonly store: DaneStore) {}

  async apply(taskId: string, action: TaskAction, options: TaskActionOptions = {}): Promise<DaneTask> {
    const task = await this.store.tasks.findById(taskId);
    if (!task) throw taskNotFound(taskId);
    const rule = RULES[action];
    if (!rule.from.includes(task.state)) throw this.refused(task, action);

    const siblings = await tasksOfDocument(this.store, task.document_id);
    const unmet = unmetDependencies(siblings, task.depends_on ?? []);
    const updated = await this.store.tasks.transition({
      id: task._id,
      from: rule.from,
      to: unmet.length ? TRANSITIONS.wait.to : rule.to,
      msg: unmet.length ? waitingMessage(unmet) : rule.msg,
      notBefore: null,
      retries: 'reset',
    });
    if (!updated) {
      // Someone else changed the task between our read and the write.
      const now = await this.store.tasks.findById(taskId);
      if (!now) throw taskNotFound(taskId);
      throw this.refused(now, action);
    }
    const cascaded = options.cascade ? await this.cascade(task, siblings) : 0;
    if (unmet.length || cascaded) await this.store.tasks.releaseDependants([task.document_id]);
    this.logger.log(JSON.stringify({ event: 'task_action', action, task_id: task._id, key: task.key, from: task.state, to: updated.state, cascaded }));
    return (await this.store.tasks.findById(taskId)) ?? updated;
  }

  /**
   * Every task of `key` in `state` (default 500) → 205 "Manual reset", `updated_at` untouched
   * (docs/protocol.md, Manual interventions). Answers `{total, error}` like the original.
   */
  async massReset(taskKey: string, rawState?: string): Promise<MassResetOutcome> {
    const key = normaliseKey(taskKey, 'task_key');
    const state = rawState === undefined ? MASS_RESET_DEFAULT_STATE : parseState(rawState);
    const msg = stateInfo(TRANSITIONS.massReset.to)?.defaultMessage ?? 'Manual reset';
    const total = await this.store.tasks.transitionAll({ key, state }, TRANSITIONS.massReset.to, msg);
    this.logger.log(JSON.stringify({ event: 'mass_reset', key, state, total }));
    return { total, error: total > 0 ? '' : 'No tasks affected' };
  }

  /**
   * Puts the dependants of `task` (tasks of the same document whose depends_on names its key, and
   * theirs in turn) back to 412: what they consumed is about to be produced again.
   */
  private async cascade(task: DaneTask, siblings: readonly DaneTask[]): Promise<number> {
    const dependants = dependantsOf(siblings, [task.key]).map((d) => d.task);
    if (dependants.length === 0) return 0;
    const resetKeys = new Set([task.key, ...dependants.map((t) => t.key)]);
    const requests: TransitionRequest[] = dependants.map((t) => ({
      id: t._id,
      from: TRANSITIONS.reset.from,
      to: TRANSITIONS.wait.to,
      msg: waitingMessage(unmetDependencies(siblings, t.depends_on, resetKeys)),
      notBefore: null,
      retries: 'reset',
    }));
    const results = await this.store.tasks.transitionMany(requests);
    return results.filter((r) => r !== null).length;
  }

  private refused(task: DaneTask, action: TaskAction): InvalidStateError {
    if (action === 'retry' && RETRY_REFUSED_STATES.includes(task.state)) {
      return new InvalidStateError(
        `Task \`${task._id}\` is in state ${stateLabel(task.state)}; retry refuses tasks in ${RETRY_REFUSED_STATES.map(stateLabel).join(' or ')}` +
          ' (use forceretry to run it again anyway)',
      );
    }
    return new InvalidStateError(`Task \`${task._id}\` is in state ${stateLabel(task.state)}; ${action} is not allowed from it`);
  }
}

function parseState(raw: string): number {
  const state = /^\d+$/.test(raw) ? parseInt(raw, 10) : NaN;
  if (!TRANSITIONS.massReset.from.includes(state)) {
    throw new ValidationError(`state must be one of the task states ${TRANSITIONS.massReset.from.join(', ')} (got ${JSON.stringify(raw)})`);
  }
  return state;
}
