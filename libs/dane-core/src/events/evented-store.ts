import { DaneDocument, DaneTask, TaskState } from '@dane/protocol';
import type { DaneStore, DocumentRepository, ResultRepository, TaskRepository, TransitionRequest } from '../storage/store.port';
import { EventPublisher } from './event-publisher';

/**
 * The store as this process sees it: every committed write that changes a task's state, registers
 * or deletes a document, or stores a result is followed by its DANE-event. One place for every
 * write path (api, scheduler, results), so no caller can forget one. `previous_state` is the state
 * the write required when it allowed only one (claims, replies, releases, lease expiries), null
 * when it accepted several (retry, reset).
 */
export function withEvents(store: DaneStore, events: EventPublisher): DaneStore {
  if (!events.enabled) return store;
  const tasks = eventedTasks(store.tasks, events);
  const documents = eventedDocuments(store.documents, events);
  const results = eventedResults(store.results, events);
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'tasks') return tasks;
      if (prop === 'documents') return documents;
      if (prop === 'results') return results;
      const value = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

function singleFrom(req: TransitionRequest | undefined): number | null {
  return req && req.from.length === 1 ? req.from[0] : null;
}

function eventedTasks(repo: TaskRepository, events: EventPublisher): TaskRepository {
  const created = (tasks: DaneTask[]) => events.taskChanged(tasks, () => null);
  /** Events of a transitionMany: the tasks it moved, each with the state its request moved it from. */
  const transitioned = (reqs: TransitionRequest[], stored: (DaneTask | null)[]) => {
    const changed: DaneTask[] = [];
    const previous: Array<number | null> = [];
    stored.forEach((t, i) => {
      if (!t) return;
      changed.push(t);
      previous.push(singleFrom(reqs[i]));
    });
    events.taskChanged(changed, (_t, i) => previous[i]);
  };
  return Object.assign(Object.create(repo) as TaskRepository, {
    async insert(task: DaneTask) {
      await repo.insert(task);
      created([task]);
    },
    async insertMany(tasks: DaneTask[]) {
      const out = await repo.insertMany(tasks);
      created(out.filter((o) => !o.error).map((o) => o.item));
      return out;
    },
    async transition(req: TransitionRequest) {
      const after = await repo.transition(req);
      if (after) events.taskChanged([after], () => singleFrom(req));
      return after;
    },
    async transitionMany(reqs: TransitionRequest[]) {
      const stored = await repo.transitionMany(reqs);
      transitioned(reqs, stored);
      return stored;
    },
    async transitionManyAndRelease(reqs: TransitionRequest[]) {
      const out = await repo.transitionManyAndRelease(reqs);
      transitioned(reqs, out.stored);
      events.taskChanged(out.released, () => TaskState.UNFINISHED_DEPENDENCY);
      return out;
    },
    async transitionAll(filter: { key: string; state: number }, to: number, msg: string) {
      const n = await repo.transitionAll(filter, to, msg);
      events.tasksChangedInBulk(filter.key, to, n);
      return n;
    },
    async claimRunnable(limit: number, leaseMs: number, maxInFlightPerKey?: number) {
      const claimed = await repo.claimRunnable(limit, leaseMs, maxInFlightPerKey);
      // A claimed task carries its state and msg from before the claim (the frame's; docs/protocol.md, Task message).
      events.taskChanged(
        claimed.map(({ task }) => ({ ...task, state: TaskState.QUEUED, msg: 'Dispatched' })),
        (_t, i) => claimed[i].task.state,
      );
      return claimed;
    },
    async claimOne(id: string, from: readonly number[], leaseMs: number, msg: string) {
      const claimed = await repo.claimOne(id, from, leaseMs, msg);
      if (claimed) events.taskChanged([claimed], () => (from.length === 1 ? from[0] : null));
      return claimed;
    },
    async expireLeases(limit: number, budget?: Parameters<TaskRepository['expireLeases']>[1]) {
      const expired = await repo.expireLeases(limit, budget);
      events.taskChanged(expired, () => TaskState.QUEUED);
      return expired;
    },
    async releaseDependants(documentIds?: string[], limit?: number) {
      const released = await repo.releaseDependants(documentIds, limit);
      events.taskChanged(released, () => TaskState.UNFINISHED_DEPENDENCY);
      return released;
    },
  });
}

function eventedDocuments(repo: DocumentRepository, events: EventPublisher): DocumentRepository {
  return Object.assign(Object.create(repo) as DocumentRepository, {
    async insert(doc: DaneDocument) {
      await repo.insert(doc);
      events.documentsRegistered([doc]);
    },
    async insertMany(docs: DaneDocument[]) {
      const out = await repo.insertMany(docs);
      events.documentsRegistered(out.filter((o) => !o.error).map((o) => o.item));
      return out;
    },
    async delete(id: string) {
      const doc = await repo.findById(id);
      const deleted = await repo.delete(id);
      if (deleted && doc) events.documentsDeleted([doc]);
      return deleted;
    },
    async deleteMany(ids: string[]) {
      const docs = await repo.findByIds(ids);
      const n = await repo.deleteMany(ids);
      if (n > 0) events.documentsDeleted(docs);
      return n;
    },
  });
}

function eventedResults(repo: ResultRepository, events: EventPublisher): ResultRepository {
  return Object.assign(Object.create(repo) as ResultRepository, {
    async insert(...args: Parameters<ResultRepository['insert']>) {
      const stored = await repo.insert(...args);
      events.resultStored(stored);
      return stored;
    },
  });
}
