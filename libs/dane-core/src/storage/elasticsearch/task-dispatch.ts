import { DaneDocument, taskId, DaneTask, DISPATCHABLE_STATES, TaskState } from '@dane/protocol';
import { LeaseExpiryBudget } from '../../lifecycle/lease-expiry';
import { ClaimedTask, StuckReason, StuckTask } from '../store.port';
import { EsHit, EsIndex, Query } from './es-index';
import { refuseNul } from './nul-text';
import { MAX_WINDOW, Sort, TASK_ORDER, scanPages } from './paging';
import { IS_TASK, bool, routedToAny, taskStates } from './queries';
import { REFRESH } from './refresh-policy';
import { TaskSource, documentFromHit, isTaskSource, taskFromHit } from './sources';
import { claimDoc, claimOneDoc, expireDoc, heartbeatDoc, queueLeaseDoc, releaseDoc } from './task-changes';
import { TaskWriter, VersionedWrite } from './task-writer';

/** Highest priority first, then insertion order (docs/protocol.md, Task message; the SQL store's `ORDER BY priority DESC, seq`). */
const DISPATCH_ORDER: Sort = [{ 'task.priority': 'desc' }, ...TASK_ORDER];
/** Waiting tasks examined per round of dependency checks. */
const RELEASE_BATCH = 200;
/** Candidates read per look for the next back-off. */
const DUE_WINDOW = 10;

function notIn(ids: Set<string>): Query[] {
  return ids.size > 0 ? [{ ids: { values: [...ids] } }] : [];
}

/** Dispatchable, with no back-off or one that is due by `now` (our clock, which also wrote it). */
function dispatchableQuery(now: Date, tried: Set<string>): Query {
  const due = {
    bool: {
      should: [{ bool: { must_not: [{ exists: { field: 'dane_node.not_before' } }] } }, { range: { 'dane_node.not_before': { lte: now.getTime() } } }],
      minimum_should_match: 1,
    },
  };
  return bool([IS_TASK, taskStates(DISPATCHABLE_STATES), due], notIn(tried));
}

function documentIdOf(hit: EsHit<TaskSource>): string {
  return hit._source.role?.parent ?? hit._routing ?? '';
}

/**
 * The dispatcher's operations. Without row locks, "SKIP LOCKED" becomes: search candidates with
 * their seq_no/primary_term, write each at that version, and pass over those someone else changed
 * first (409). A stale search result can only lose that race.
 */
export class TaskDispatch {
  constructor(
    private readonly index: EsIndex,
    private readonly writer: TaskWriter,
  ) {}

  /**
   * Searches a window of candidates (a little more than needed, as claims of the last second may
   * still show as runnable), claims them in order at their versions, and searches again past the
   * ones tried until `limit` are claimed or no candidate is left.
   */
  async claimRunnable(limit: number, leaseMs: number): Promise<ClaimedTask[]> {
    const claimed: ClaimedTask[] = [];
    const tried = new Set<string>();
    while (claimed.length < limit) {
      const now = new Date();
      const window = Math.min(MAX_WINDOW, (limit - claimed.length) * 2 + 10);
      const { hits } = await this.index.search<TaskSource>({
        query: dispatchableQuery(now, tried),
        sort: DISPATCH_ORDER,
        size: window,
        seq_no_primary_term: true,
      });
      hits.forEach((h) => tried.add(h._id));
      const documents = await this.documentsOf(hits);
      // A task whose document is gone (left by a deletion racing an assignment) is never claimed.
      const queue = hits.filter((h) => documents.has(documentIdOf(h)));
      while (queue.length > 0 && claimed.length < limit) {
        const batch = queue.splice(0, limit - claimed.length);
        const writes = batch.map((hit) => ({ hit, doc: claimDoc(hit._source, leaseMs, now) })).filter((w): w is VersionedWrite => w.doc !== null);
        const after = await this.writer.writeAt(writes, REFRESH.claim);
        writes.forEach(({ hit }, k) => {
          const task = after[k];
          if (!task) return;
          claimed.push({
            task: { ...task, state: Number(hit._source.task.state), msg: hit._source.task.msg },
            document: documents.get(documentIdOf(hit))!,
            leaseUntil: new Date(now.getTime() + leaseMs),
          });
        });
      }
      if (hits.length < window) break;
    }
    return claimed;
  }

  /** One conditional write at the version read (a claim's refresh policy); a concurrent change is read again. */
  async claimOne(id: string, from: readonly number[], leaseMs: number, msg: string): Promise<DaneTask | null> {
    refuseNul(msg, 'msg');
    if (from.length === 0) return null;
    return this.writer.writeOne(id, (task) => claimOneDoc(task, from, leaseMs, msg, new Date()), REFRESH.claim);
  }

  async heartbeat(id: string, attempt: number | undefined, leaseMs: number, msg?: string): Promise<boolean> {
    refuseNul(msg, 'msg');
    const after = await this.writer.writeOne(id, (task) => heartbeatDoc(task, attempt, leaseMs, msg, new Date()), REFRESH.heartbeat);
    return after !== null;
  }

  /** One conditional write per task (a claim's refresh policy): only 102 at that attempt, not started. */
  async confirmPublished(tasks: ReadonlyArray<{ id: string; attempt: number }>, queueLeaseMs: number): Promise<number> {
    const now = new Date();
    let extended = 0;
    for (const { id, attempt } of tasks) {
      const after = await this.writer.writeOne(id, (task) => queueLeaseDoc(task, attempt, queueLeaseMs, now), REFRESH.heartbeat);
      if (after !== null) extended++;
    }
    return extended;
  }

  /**
   * Oldest lease first. The one search that must see claims, which are written without refresh:
   * one explicit refresh per sweep. A task heartbeating meanwhile wins its race and stays.
   *
   * The refresh is a convenience, not a condition (issue 16, item 2): `_refresh` needs the `maintenance`
   * privilege, which the least-privilege role lacks; refused (403), it is logged once and skipped from then
   * on (EsIndex.refresh). The sweep then searches what the last scheduled refresh shows, at most
   * refresh_interval (1 s) old, and that is safe: a claim not yet visible shows its task as not in 102,
   * so it is simply found by a later sweep; a heartbeat not yet visible shows the old lease, and the
   * expiry written at that hit's version loses its conditional write (409). Real leases are minutes long,
   * so an expiry seen one refresh later costs nothing. (On a manual-refresh index claims refresh
   * themselves: refresh-policy.ts.)
   */
  async expireLeases(limit: number, budget?: LeaseExpiryBudget): Promise<DaneTask[]> {
    if (limit <= 0) return [];
    await this.index.refresh();
    const now = new Date();
    const { hits } = await this.index.search<TaskSource>({
      query: bool([IS_TASK, taskStates([TaskState.QUEUED]), { range: { 'dane_node.lease_until': { lt: now.getTime() } } }]),
      sort: [{ 'dane_node.lease_until': 'asc' }],
      size: Math.min(limit, MAX_WINDOW),
      seq_no_primary_term: true,
    });
    const writes = hits.map((hit) => ({ hit, doc: expireDoc(hit._source, now, budget) })).filter((w): w is VersionedWrite => w.doc !== null);
    return (await this.writer.writeAt(writes, REFRESH.stateChange)).filter((t): t is DaneTask => t !== null);
  }

  /**
   * The stuck-task report (StuckReason in store.port.ts), the SQL store's three scans as searches.
   * Candidates are re-read by id (realtime) and checked again: a search may still show a task that
   * moved on in the last second.
   */
  async findStuck(olderThanMs: number, limitPerReason: number): Promise<StuckTask[]> {
    if (limitPerReason <= 0) return [];
    const cutoff = Date.now() - Math.max(0, olderThanMs);
    const size = Math.min(limitPerReason, MAX_WINDOW);
    const since = (field: string) => [{ [field]: { order: 'asc', missing: 0 } }, ...TASK_ORDER];
    const found: StuckTask[] = [];
    const keep = async (reason: StuckReason, hits: EsHit<TaskSource>[], check: (t: TaskSource, id: string) => number | null) => {
      const current = await this.writer.readMany(hits.map((h) => h._id));
      for (const hit of hits) {
        const now = current.get(hit._id);
        const at = now ? check(now._source, hit._id) : null;
        if (now && at !== null) found.push({ reason, task: taskFromHit(now)!, since: new Date(at) });
      }
    };

    const leases = await this.index.search<TaskSource>({
      query: bool([IS_TASK, taskStates([TaskState.QUEUED]), { range: { 'dane_node.lease_until': { lt: cutoff } } }]),
      sort: since('dane_node.lease_until'),
      size,
    });
    await keep('lease_not_swept', leases.hits, (t) => {
      const lease = t.dane_node?.lease_until;
      return Number(t.task.state) === TaskState.QUEUED && typeof lease === 'number' && lease < cutoff ? lease : null;
    });

    const notBeforeOld = {
      bool: {
        should: [{ bool: { must_not: [{ exists: { field: 'dane_node.not_before' } }] } }, { range: { 'dane_node.not_before': { lt: cutoff } } }],
        minimum_should_match: 1,
      },
    };
    const runnable = await this.index.search<TaskSource>({
      query: bool([IS_TASK, taskStates(DISPATCHABLE_STATES), { range: { 'dane_node.state_changed_at': { lt: cutoff } } }, notBeforeOld]),
      sort: since('dane_node.state_changed_at'),
      size,
    });
    await keep('not_dispatched', runnable.hits, (t) => {
      const changed = t.dane_node?.state_changed_at ?? 0;
      const due = t.dane_node?.not_before ?? null;
      if (!DISPATCHABLE_STATES.includes(Number(t.task.state)) || changed >= cutoff || (due !== null && due >= cutoff)) return null;
      return Math.max(changed, due ?? 0);
    });

    const waiting = bool([
      IS_TASK,
      taskStates([TaskState.UNFINISHED_DEPENDENCY]),
      { exists: { field: 'dane_node.depends_on' } },
      { range: { 'dane_node.state_changed_at': { lt: cutoff } } },
    ]);
    let missed = 0;
    for await (const page of scanPages<TaskSource>(this.index, { query: waiting }, since('dane_node.state_changed_at'), RELEASE_BATCH)) {
      const doneAt = await this.dependenciesDoneAt(page);
      const ready = page.filter((h) => {
        const at = doneAt.get(h._id);
        return at !== undefined && at < cutoff;
      });
      const before = found.length;
      await keep('release_missed', ready.slice(0, limitPerReason - missed), (t, id) =>
        Number(t.task.state) === TaskState.UNFINISHED_DEPENDENCY ? Math.max(t.dane_node?.state_changed_at ?? 0, doneAt.get(id) ?? 0) : null,
      );
      missed += found.length - before;
      if (missed >= limitPerReason) break;
    }
    return found;
  }

  /**
   * 412 tasks (of these documents, or anywhere) whose every `depends_on` key is in 200 → 201. The
   * dependencies are read by id (a task id is sha1(document id + KEY)), so they are never stale.
   */
  async releaseDependants(documentIds?: string[], limit?: number): Promise<DaneTask[]> {
    if (documentIds?.length === 0 || (limit !== undefined && limit <= 0)) return [];
    const must = [...(documentIds ? [routedToAny(documentIds)] : []), IS_TASK, taskStates([TaskState.UNFINISHED_DEPENDENCY])];
    must.push({ exists: { field: 'dane_node.depends_on' } });
    const released: DaneTask[] = [];
    for await (const waiting of scanPages<TaskSource>(this.index, { query: bool(must) }, TASK_ORDER, RELEASE_BATCH)) {
      const ready = await this.readyOnes(waiting);
      const room = limit === undefined ? ready.length : limit - released.length;
      const now = new Date();
      const after = await this.writer.writeMany(
        ready.slice(0, room).map((h) => ({ id: h._id, decide: (task) => releaseDoc(task, now) })),
        REFRESH.stateChange,
      );
      released.push(...after.filter((t): t is DaneTask => t !== null));
      if (limit !== undefined && released.length >= limit) break;
    }
    return released;
  }

  /**
   * The earliest back-off among dispatchable tasks. Candidates are re-read by id: a task claimed in
   * the last second may still show in the search with its old back-off, and is passed over.
   */
  async nextDueAt(): Promise<Date | null> {
    const tried = new Set<string>();
    for (;;) {
      const { hits } = await this.index.search<never>({
        query: bool([IS_TASK, taskStates(DISPATCHABLE_STATES), { exists: { field: 'dane_node.not_before' } }], notIn(tried)),
        sort: [{ 'dane_node.not_before': 'asc' }],
        size: DUE_WINDOW,
        _source: false,
      });
      const current = await this.writer.readMany(hits.map((h) => h._id));
      for (const hit of hits) {
        const task = current.get(hit._id)?._source;
        const due = task?.dane_node?.not_before;
        if (task && DISPATCHABLE_STATES.includes(Number(task.task.state)) && due !== undefined && due !== null) return new Date(due);
        tried.add(hit._id);
      }
      if (hits.length < DUE_WINDOW) return null;
    }
  }

  private async documentsOf(hits: EsHit<TaskSource>[]): Promise<Map<string, DaneDocument>> {
    const found = await this.index.mget<unknown>([...new Set(hits.map(documentIdOf))]);
    const documents = new Map<string, DaneDocument>();
    for (const hit of found) {
      const doc = documentFromHit(hit);
      if (doc) documents.set(doc._id, doc);
    }
    return documents;
  }

  /** For waiting tasks whose dependencies all exist and are in 200: when the last of them got there. */
  private async dependenciesDoneAt(waiting: EsHit<TaskSource>[]): Promise<Map<string, number>> {
    const dependencyIds = (h: EsHit<TaskSource>) => (h._source.dane_node?.depends_on ?? []).map((key) => taskId(documentIdOf(h), key));
    const dependencies = await this.index.mget<unknown>(waiting.flatMap(dependencyIds));
    const doneAt = new Map<string, number>();
    for (const d of dependencies) {
      if (isTaskSource(d._source) && Number(d._source.task.state) === TaskState.SUCCESS) doneAt.set(d._id, d._source.dane_node?.state_changed_at ?? 0);
    }
    const out = new Map<string, number>();
    for (const h of waiting) {
      const ids = dependencyIds(h);
      if (ids.length > 0 && ids.every((id) => doneAt.has(id))) out.set(h._id, Math.max(...ids.map((id) => doneAt.get(id)!)));
    }
    return out;
  }

  /** Waiting tasks whose dependencies all exist and are in 200. */
  private async readyOnes(waiting: EsHit<TaskSource>[]): Promise<EsHit<TaskSource>[]> {
    const dependencyIds = (h: EsHit<TaskSource>) => (h._source.dane_node?.depends_on ?? []).map((key) => taskId(documentIdOf(h), key));
    const dependencies = await this.index.mget<unknown>(waiting.flatMap(dependencyIds));
    const done = new Set(dependencies.filter((d) => isTaskSource(d._source) && Number(d._source.task.state) === TaskState.SUCCESS).map((d) => d._id));
    return waiting.filter((h) => dependencyIds(h).every((id) => done.has(id)));
  }
}
