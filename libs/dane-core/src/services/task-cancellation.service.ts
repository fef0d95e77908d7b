import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  CANCEL_REFUSED_STATES,
  DaneTask,
  InvalidStateError,
  MAX_PAGE_SIZE,
  normaliseKey,
  stateInfo,
  stateLabel,
  TaskCancelSummaryView,
  TaskState,
  TRANSITIONS,
  ValidationError,
} from '@dane/protocol';
import { DANE_STORE, DaneStore, TaskFilter, TransitionRequest } from '../storage/store.port';
import { taskNotFound } from './not-found';
import { dependantsOf, tasksOfDocument } from './task-dependencies';

/** Which tasks a bulk cancel selects; the criteria combine with AND, and at least one of key, creator, documents or tasks is required. */
export interface CancelFilter {
  /** Task key (any case). */
  key?: string;
  /** Only tasks in these states (default: every state; done and cancelled ones are counted, never changed). */
  states?: readonly number[];
  /** Tasks of documents of this creator. */
  creatorId?: string;
  /** Tasks of these documents. */
  documentIds?: readonly string[];
  /** These tasks (a campaign's selection). */
  taskIds?: readonly string[];
}

export interface CancelOptions {
  /** Also cancel the dependants on the same document (transitively) that are not done; without it their 412 message says `blocked by KEY: cancelled`. */
  cascade?: boolean;
}

/** What one cancellation did. Ids, so a caller can show or follow them. */
export interface CancelSummary {
  /** Tasks the filter selected (for one task: 1). */
  matched: number;
  /** Selected tasks this call moved to 499. */
  cancelled: string[];
  /** Dependants cancelled with them (cascade). */
  cascaded: string[];
  /** 412 dependants that now say `blocked by KEY: cancelled` (no cascade). */
  blocked: string[];
  /** Selected tasks left alone: done (200) — a finished task is not cancelled. */
  done: string[];
  /** Selected tasks that were cancelled already. */
  alreadyCancelled: string[];
  /** Selected tasks that became done or were deleted while this call ran. */
  changed: string[];
  /** taskIds / documentIds of the filter that name nothing. */
  notFound: string[];
}

/** One task cancelled: the task as stored after it, and what happened to its dependants. */
export interface CancelTaskOutcome {
  task: DaneTask;
  cascaded: string[];
  blocked: string[];
}

/** Transitions per store call, and attempts per task when the task changes between the read and the write. */
const WRITE_CHUNK = 500;
const WRITE_ROUNDS = 3;
/** Documents whose dependants are read at once. */
const DOCUMENT_READS_AT_ONCE = 8;

const CANCEL_MSG = stateInfo(TaskState.CANCELLED)?.defaultMessage ?? 'Cancelled';

/** The text a dependant shows when its dependency was cancelled (no cascade). */
export function blockedByCancelMessage(key: string): string {
  return `blocked by ${key}: cancelled`;
}

/**
 * Cancellation (docs/protocol.md, Cancellation): the one place that cancels tasks, for the API's single and bulk
 * routes, the dashboard and campaigns. A task not done and not cancelled goes to 499 `Cancelled` in one conditional
 * write from the state it was read in; the store wrapper then publishes `task.<KEY>.499`, which tells an SDK worker
 * running it to abort its `ctx.signal`. A reply or result that comes for it later is stale: the reply decision only
 * applies replies to tasks in 102 at their attempt, and the results consumer drops results of a cancelled task.
 */
@Injectable()
export class TaskCancellationService {
  private readonly logger = new Logger(TaskCancellationService.name);

  constructor(@Inject(DANE_STORE) private readonly store: DaneStore) {}

  /** One task: 404 unknown, 409 done or cancelled already (messages name the state). */
  async cancel(taskId: string, options: CancelOptions = {}): Promise<CancelTaskOutcome> {
    const task = await this.store.tasks.findById(taskId);
    if (!task) throw taskNotFound(taskId);
    if (CANCEL_REFUSED_STATES.includes(task.state)) throw refused(task);
    const summary = await this.run([task], options, CANCEL_MSG);
    if (summary.cancelled.length === 0) {
      // It became done (or was cancelled, or deleted) between our read and the write.
      const now = await this.store.tasks.findById(taskId);
      if (!now) throw taskNotFound(taskId);
      throw refused(now);
    }
    const after = (await this.store.tasks.findById(taskId)) ?? task;
    this.log('task_cancelled', {
      task_id: task._id,
      key: task.key,
      document_id: task.document_id,
      from: task.state,
      cascaded: summary.cascaded.length,
      blocked: summary.blocked.length,
    });
    return { task: after, cascaded: summary.cascaded, blocked: summary.blocked };
  }

  /** Every task the filter selects (see CancelFilter); done and cancelled ones are counted, not changed. */
  async cancelMany(filter: CancelFilter, options: CancelOptions = {}): Promise<CancelSummary> {
    const { tasks, notFound } = await this.select(filter);
    const summary = await this.run(tasks, options, CANCEL_MSG);
    summary.notFound = notFound;
    this.log('tasks_cancelled', {
      filter: {
        key: filter.key ?? null,
        states: filter.states ?? null,
        creator_id: filter.creatorId ?? null,
        documents: filter.documentIds?.length ?? null,
        tasks: filter.taskIds?.length ?? null,
      },
      cascade: options.cascade ?? false,
      matched: summary.matched,
      cancelled: summary.cancelled.length,
      cascaded: summary.cascaded.length,
      blocked: summary.blocked.length,
      done: summary.done.length,
      already_cancelled: summary.alreadyCancelled.length,
      changed: summary.changed.length,
    });
    return summary;
  }

  private async select(filter: CancelFilter): Promise<{ tasks: DaneTask[]; notFound: string[] }> {
    const key = filter.key === undefined ? undefined : normaliseKey(filter.key, 'key');
    if (key === undefined && filter.creatorId === undefined && !filter.documentIds?.length && !filter.taskIds?.length) {
      throw new ValidationError('A bulk cancel needs at least one of key, creator, document_ids or task_ids (it never cancels every task)');
    }
    for (const s of filter.states ?? []) {
      if (!stateInfo(s)) throw new ValidationError(`states: ${JSON.stringify(s)} is not a task state`);
    }
    const states = filter.states?.length ? filter.states : undefined;
    const base: TaskFilter = { key, states, creatorId: filter.creatorId };
    const matches = (t: DaneTask) => (key === undefined || t.key === key) && (states === undefined || states.includes(t.state));
    const notFound: string[] = [];
    const byId = new Map<string, DaneTask>();
    if (filter.taskIds?.length) {
      const wanted = [...new Set(filter.taskIds)];
      const docs = filter.documentIds?.length ? new Set(filter.documentIds) : undefined;
      for (let i = 0; i < wanted.length; i += MAX_PAGE_SIZE) {
        for (const t of await this.store.tasks.findByIds(wanted.slice(i, i + MAX_PAGE_SIZE))) byId.set(t._id, t);
      }
      notFound.push(...wanted.filter((id) => !byId.has(id)));
      const creatorDocs = filter.creatorId === undefined ? undefined : await this.documentsOfCreator([...byId.values()], filter.creatorId);
      for (const [id, t] of byId) {
        if (!matches(t) || (docs && !docs.has(t.document_id)) || (creatorDocs && !creatorDocs.has(t.document_id))) byId.delete(id);
      }
    } else if (filter.documentIds?.length) {
      const ids = [...new Set(filter.documentIds)];
      const known = new Set<string>();
      for (let i = 0; i < ids.length; i += MAX_PAGE_SIZE) {
        for (const d of await this.store.documents.findByIds(ids.slice(i, i + MAX_PAGE_SIZE))) known.add(d._id);
      }
      notFound.push(...ids.filter((id) => !known.has(id)));
      for (const documentId of known) for (const t of await this.listAll({ ...base, documentId })) byId.set(t._id, t);
    } else {
      for (const t of await this.listAll(base)) byId.set(t._id, t);
    }
    return { tasks: [...byId.values()], notFound };
  }

  /** The subset of these tasks' documents that belong to `creatorId`. */
  private async documentsOfCreator(tasks: readonly DaneTask[], creatorId: string): Promise<Set<string>> {
    const ids = [...new Set(tasks.map((t) => t.document_id))];
    const out = new Set<string>();
    for (let i = 0; i < ids.length; i += MAX_PAGE_SIZE) {
      for (const d of await this.store.documents.findByIds(ids.slice(i, i + MAX_PAGE_SIZE))) if (String(d.creator.id) === creatorId) out.add(d._id);
    }
    return out;
  }

  /** Every page of a list, read before anything is written (the writes change what a state filter selects). */
  private async listAll(filter: TaskFilter): Promise<DaneTask[]> {
    const all: DaneTask[] = [];
    let cursor: string | undefined;
    for (let page = 1; ; page++) {
      const p = await this.store.tasks.list(filter, { page, size: MAX_PAGE_SIZE, cursor });
      all.push(...p.items);
      if (p.items.length < MAX_PAGE_SIZE) return all;
      cursor = p.next;
      if (!cursor && all.length >= p.total && !p.totalEstimated) return all;
    }
  }

  private async run(selected: readonly DaneTask[], options: CancelOptions, msg: string): Promise<CancelSummary> {
    const summary: CancelSummary = { matched: selected.length, cancelled: [], cascaded: [], blocked: [], done: [], alreadyCancelled: [], changed: [], notFound: [] };
    const todo: DaneTask[] = [];
    for (const t of selected) {
      if (t.state === TaskState.SUCCESS) summary.done.push(t._id);
      else if (t.state === TaskState.CANCELLED) summary.alreadyCancelled.push(t._id);
      else todo.push(t);
    }
    const { cancelled, lost } = await this.write(todo, () => msg);
    summary.cancelled = cancelled.map((t) => t._id);
    for (const t of lost) (t.state === TaskState.CANCELLED ? summary.alreadyCancelled : t.state === TaskState.SUCCESS ? summary.done : summary.changed).push(t._id);
    await this.dependants(cancelled, options, summary);
    return summary;
  }

  /**
   * The dependants of the cancelled tasks, per document: with cascade, those not done and not cancelled are
   * cancelled too (transitively); without it, the 412 ones that wait directly for a cancelled key say so.
   */
  private async dependants(cancelled: readonly DaneTask[], options: CancelOptions, summary: CancelSummary): Promise<void> {
    const byDocument = new Map<string, Set<string>>();
    for (const t of cancelled) {
      const keys = byDocument.get(t.document_id);
      if (keys) keys.add(t.key);
      else byDocument.set(t.document_id, new Set([t.key]));
    }
    const documents = [...byDocument.keys()];
    for (let i = 0; i < documents.length; i += DOCUMENT_READS_AT_ONCE) {
      await Promise.all(
        documents.slice(i, i + DOCUMENT_READS_AT_ONCE).map(async (documentId) => {
          const cancelledKeys = byDocument.get(documentId)!;
          const siblings = await tasksOfDocument(this.store, documentId);
          if (options.cascade) {
            const found = dependantsOf(siblings, cancelledKeys, (t) => TRANSITIONS.cancel.from.includes(t.state));
            const via = new Map(found.map((d) => [d.task._id, d.via]));
            const { cancelled: more } = await this.write(
              found.map((d) => d.task),
              (t) => `${CANCEL_MSG}: depends on ${via.get(t._id)}, which was cancelled`,
            );
            summary.cascaded.push(...more.map((t) => t._id));
          } else {
            for (const key of cancelledKeys) {
              const waiting = siblings.filter((t) => t.state === TaskState.UNFINISHED_DEPENDENCY && (t.depends_on ?? []).includes(key));
              if (waiting.length === 0) continue;
              await this.store.tasks.annotateDependants(documentId, key, blockedByCancelMessage(key));
              summary.blocked.push(...waiting.map((t) => t._id));
            }
          }
        }),
      );
    }
  }

  /**
   * Conditional writes → 499, each from the state the task was read in (so the event names its previous state);
   * a task that moved meanwhile is read again and written from its new state, unless it is done, cancelled or gone.
   * `lost` holds those, with the state they were last seen in (-1: deleted).
   */
  private async write(tasks: readonly DaneTask[], msgOf: (t: DaneTask) => string): Promise<{ cancelled: DaneTask[]; lost: DaneTask[] }> {
    const cancelled: DaneTask[] = [];
    const lost: DaneTask[] = [];
    let pending = [...tasks];
    for (let round = 0; round < WRITE_ROUNDS && pending.length > 0; round++) {
      const retry: DaneTask[] = [];
      for (let i = 0; i < pending.length; i += WRITE_CHUNK) {
        const chunk = pending.slice(i, i + WRITE_CHUNK);
        const requests: TransitionRequest[] = chunk.map((t) => ({ id: t._id, from: [t.state], to: TRANSITIONS.cancel.to, msg: msgOf(t), notBefore: null }));
        const stored = await this.store.tasks.transitionMany(requests);
        const missed: DaneTask[] = [];
        stored.forEach((after, j) => (after ? cancelled.push(after) : missed.push(chunk[j])));
        if (missed.length === 0) continue;
        const now = new Map((await this.store.tasks.findByIds(missed.map((t) => t._id))).map((t) => [t._id, t]));
        for (const t of missed) {
          const fresh = now.get(t._id);
          if (!fresh) lost.push({ ...t, state: -1 });
          else if (TRANSITIONS.cancel.from.includes(fresh.state)) retry.push(fresh);
          else lost.push(fresh);
        }
      }
      pending = retry;
    }
    lost.push(...pending);
    return { cancelled, lost };
  }

  private log(event: string, fields: Record<string, unknown>): void {
    this.logger.log(JSON.stringify({ event, ...fields }));
  }
}

function refused(task: DaneTask): InvalidStateError {
  if (task.state === TaskState.CANCELLED) return new InvalidStateError(`Task \`${task._id}\` is already cancelled (${stateLabel(task.state)})`);
  return new InvalidStateError(`Task \`${task._id}\` is in state ${stateLabel(task.state)}; a finished task cannot be cancelled (reset or forceretry runs it again)`);
}

/** The REST answer of a bulk cancel (TaskCancelSummaryView). */
export function cancelSummaryView(s: CancelSummary): TaskCancelSummaryView {
  return {
    matched: s.matched,
    cancelled: s.cancelled.length,
    cascaded: s.cascaded.length,
    blocked: s.blocked.length,
    skipped: { done: s.done.length, already_cancelled: s.alreadyCancelled.length, changed: s.changed.length },
    not_found: s.notFound,
    ids: { cancelled: s.cancelled, cascaded: s.cascaded, blocked: s.blocked },
  };
}
