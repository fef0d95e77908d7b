import { DaneTask, TaskState, cursorKey, Page, PageRequest, pageOfItems } from '@dane/protocol';
import { LeaseExpiryBudget } from '../../lifecycle/lease-expiry';
import { NEEDS_PERSON, NeedsPersonCount, blockedTaskIds } from '../../lifecycle/needs-person';
import { BulkOutcome, ClaimedTask, StuckTask, TaskFilter, TaskRepository, TaskStats, TransitionRequest } from '../store.port';
import { EsHit, EsIndex } from './es-index';
import { refuseNul } from './nul-text';
import { TASK_ORDER, scanAll, searchPage } from './paging';
import { IS_TASK, bool, needsPersonQuery, resultsOfTask, routedTo, routedToAny, taskFilterQuery, taskKey, taskStates } from './queries';
import { REFRESH } from './refresh-policy';
import { TaskSource, taskFromHit } from './sources';
import { annotateDoc, transitionDoc } from './task-changes';
import { TaskDispatch } from './task-dispatch';
import { TaskInserts } from './task-inserts';
import { TaskWriter } from './task-writer';

/** Buckets per composite-aggregation page when counting by key and state. */
const COUNT_PAGE = 1000;
const MAX_QUERY_PASSES = 5;
/** Documents per query when reading the tasks of the documents that have 412 tasks (needs-person case 3). */
const BLOCKED_DOCUMENTS_PER_QUERY = 1000;

/** The mass reset's script (docs/protocol.md, Writes): state and msg, a fresh retry budget, updated_at untouched (docs/protocol.md, Timestamps). */
const MASS_RESET_SCRIPT = [
  'ctx._source.task.state = params.to;',
  'ctx._source.task.msg = params.msg;',
  'if (ctx._source.dane_node == null) { ctx._source.dane_node = [:]; }',
  'ctx._source.dane_node.retries = 0;',
  'ctx._source.dane_node.not_before = null;',
  'if (params.to != params.from) { ctx._source.dane_node.state_changed_at = params.now; }',
  'if (params.to != params.queued) { ctx._source.dane_node.lease_until = null; }',
].join(' ');

/** Same order as the search sort TASK_ORDER, for tasks read by id. */
function byInsertion(a: EsHit<TaskSource>, b: EsHit<TaskSource>): number {
  const seq = (h: EsHit<TaskSource>) => h._source.dane_node?.seq ?? 0;
  return seq(a) - seq(b) || String(a._source.created_at).localeCompare(String(b._source.created_at)) || (a._seq_no ?? 0) - (b._seq_no ?? 0);
}

function checkTransitionText(req: TransitionRequest): void {
  refuseNul({ msg: req.msg, depends_on: req.dependsOn }, 'transition');
}

export class EsTaskRepository implements TaskRepository {
  private readonly writer: TaskWriter;
  private readonly inserts: TaskInserts;
  private readonly dispatch: TaskDispatch;

  constructor(private readonly index: EsIndex) {
    this.writer = new TaskWriter(index);
    this.inserts = new TaskInserts(index);
    this.dispatch = new TaskDispatch(index, this.writer);
  }

  insert(task: DaneTask): Promise<void> {
    return this.inserts.insert(task);
  }

  insertMany(tasks: DaneTask[]): Promise<BulkOutcome<DaneTask>[]> {
    return this.inserts.insertMany(tasks);
  }

  async findById(id: string): Promise<DaneTask | null> {
    const hit = await this.writer.read(id);
    return hit ? taskFromHit(hit) : null;
  }

  async findByIds(ids: string[]): Promise<DaneTask[]> {
    const hits = await this.writer.readMany(ids);
    return [...hits.values()].sort(byInsertion).map((h) => taskFromHit(h)!);
  }

  /** Insertion order, by cursor (search_after) or page. An empty `states` list matches nothing; an absent one everything. */
  async list(filter: TaskFilter, page: PageRequest): Promise<Page<DaneTask>> {
    if (page.cursor !== undefined) cursorKey(page.cursor, 'tasks', TASK_ORDER.length);
    if (filter.states !== undefined && filter.states.length === 0) return pageOfItems([], page, 0);
    // Q3 leaves `role` out; the document id is the routing every hit carries.
    const needsPerson = filter.needsPerson === undefined ? undefined : needsPersonQuery(await this.blockedIds());
    const body = { _source: { excludes: ['role'] }, query: taskFilterQuery(filter, needsPerson) };
    const { hits, total, next } = await searchPage<TaskSource>(this.index, body, TASK_ORDER, page, 'tasks');
    return pageOfItems(
      hits.map((h) => taskFromHit(h)!),
      page,
      total,
      { next },
    );
  }

  /** A composite aggregation, paged by its after_key, so no key or state is cut off. */
  async countByKeyAndState(key?: string): Promise<TaskStats[]> {
    const query = key === undefined ? bool([IS_TASK]) : bool([IS_TASK, { term: { 'task.key': key } }]);
    const stats: TaskStats[] = [];
    let after: unknown;
    for (;;) {
      const composite = {
        size: COUNT_PAGE,
        sources: [{ key: { terms: { field: 'task.key' } } }, { state: { terms: { field: 'task.state' } } }],
        ...(after ? { after } : {}),
      };
      const { aggregations } = await this.index.search<never>({ size: 0, query, aggs: { by_key_state: { composite } } });
      const agg = aggregations?.by_key_state as { buckets: { key: { key: string; state: number }; doc_count: number }[]; after_key?: unknown };
      for (const b of agg.buckets) stats.push({ key: b.key.key, state: Number(b.key.state), count: b.doc_count });
      if (agg.buckets.length < COUNT_PAGE || !agg.after_key) return stats;
      after = agg.after_key;
    }
  }

  /** A terms aggregation of task.key over the needs-person query (keys are few; the size covers them all). */
  async countNeedingPerson(key?: string): Promise<NeedsPersonCount[]> {
    const must = [IS_TASK, needsPersonQuery(await this.blockedIds())];
    if (key !== undefined) must.push({ term: { 'task.key': key } });
    const stats: NeedsPersonCount[] = [];
    let after: unknown;
    for (;;) {
      const composite = { size: COUNT_PAGE, sources: [{ key: { terms: { field: 'task.key' } } }], ...(after ? { after } : {}) };
      const { aggregations } = await this.index.search<never>({ size: 0, query: bool(must), aggs: { by_key: { composite } } });
      const agg = aggregations?.by_key as { buckets: { key: { key: string }; doc_count: number }[]; after_key?: unknown };
      for (const b of agg.buckets) stats.push({ key: b.key.key, count: b.doc_count });
      if (agg.buckets.length < COUNT_PAGE || !agg.after_key) return stats;
      after = agg.after_key;
    }
  }

  /**
   * Needs-person case 3 (lifecycle/needs-person.ts) without joins Elasticsearch cannot make (a task's
   * `depends_on` against its siblings' keys): the 412 tasks' documents, every task of those documents,
   * and blockedTaskIds over them. Costs nothing when no task waits in 412.
   */
  private async blockedIds(): Promise<string[]> {
    const waiting = await scanAll<TaskSource>(this.index, { _source: false, query: bool([IS_TASK, taskStates([NEEDS_PERSON.blockedState])]) }, TASK_ORDER);
    const documents = [...new Set(waiting.map((h) => h._routing).filter((r): r is string => typeof r === 'string'))];
    const tasks = [];
    for (let i = 0; i < documents.length; i += BLOCKED_DOCUMENTS_PER_QUERY) {
      const query = bool([routedToAny(documents.slice(i, i + BLOCKED_DOCUMENTS_PER_QUERY)), IS_TASK]);
      for (const hit of await scanAll<TaskSource>(this.index, { _source: { excludes: ['role'] }, query }, TASK_ORDER)) {
        const task = taskFromHit(hit)!;
        tasks.push({ id: task._id, documentId: task.document_id, key: task.key, state: task.state, notBefore: hit._source.dane_node?.not_before, dependsOn: task.depends_on });
      }
    }
    return [...blockedTaskIds(tasks)];
  }

  /** The task, then its results by join parent (they are routed by task id; docs/protocol.md, Join field and routing). */
  async delete(id: string): Promise<boolean> {
    const hit = await this.writer.read(id);
    if (!hit) return false;
    if (!(await this.index.delete(id, { routing: hit._routing, refresh: REFRESH.delete }))) return false;
    for (let pass = 0; pass < MAX_QUERY_PASSES; pass++) {
      if ((await this.index.deleteByQuery(resultsOfTask(id))).conflicts === 0) break;
    }
    return true;
  }

  async transition(req: TransitionRequest): Promise<DaneTask | null> {
    checkTransitionText(req);
    const now = new Date();
    return this.writer.writeOne(req.id, (task) => transitionDoc(task, req, now), REFRESH.stateChange);
  }

  /** One MGET and one `_bulk` of conditional updates (more rounds only for tasks that changed meanwhile). */
  /** Two steps here (no multi-document transactions in Elasticsearch): a crash in between is healed by the sweep. */
  async transitionManyAndRelease(reqs: TransitionRequest[]): Promise<{ stored: (DaneTask | null)[]; released: DaneTask[] }> {
    const stored = await this.transitionMany(reqs);
    const documents = [...new Set(stored.filter((t): t is DaneTask => t?.state === TaskState.SUCCESS).map((t) => t.document_id))];
    return { stored, released: documents.length ? await this.releaseDependants(documents) : [] };
  }

  async transitionMany(reqs: TransitionRequest[]): Promise<(DaneTask | null)[]> {
    reqs.forEach(checkTransitionText);
    const now = new Date();
    return this.writer.writeMany(
      reqs.map((req) => ({ id: req.id, decide: (task) => transitionDoc(task, req, now) })),
      REFRESH.stateChange,
    );
  }

  /** Mass reset (docs/protocol.md, Manual interventions) as `_update_by_query`; passes repeat while tasks changed under it. */
  async transitionAll(filter: { key: string; state: number }, to: number, msg: string): Promise<number> {
    refuseNul(msg, 'msg');
    const body = {
      query: bool([IS_TASK, taskKey(filter.key), taskStates([filter.state])]),
      script: {
        lang: 'painless',
        source: MASS_RESET_SCRIPT,
        params: { to, msg, from: filter.state, queued: TaskState.QUEUED, now: Date.now() },
      },
    };
    let total = 0;
    for (let pass = 0; pass < MAX_QUERY_PASSES; pass++) {
      const { updated, conflicts } = await this.index.updateByQuery(body);
      total += updated;
      if (conflicts === 0) break;
    }
    return total;
  }

  claimRunnable(limit: number, leaseMs: number): Promise<ClaimedTask[]> {
    return this.dispatch.claimRunnable(limit, leaseMs);
  }

  claimOne(id: string, from: readonly number[], leaseMs: number, msg: string): Promise<DaneTask | null> {
    return this.dispatch.claimOne(id, from, leaseMs, msg);
  }

  heartbeat(id: string, attempt: number | undefined, leaseMs: number, msg?: string): Promise<boolean> {
    return this.dispatch.heartbeat(id, attempt, leaseMs, msg);
  }

  confirmPublished(tasks: ReadonlyArray<{ id: string; attempt: number }>, queueLeaseMs: number): Promise<number> {
    return this.dispatch.confirmPublished(tasks, queueLeaseMs);
  }

  expireLeases(limit: number, budget?: LeaseExpiryBudget): Promise<DaneTask[]> {
    return this.dispatch.expireLeases(limit, budget);
  }

  findStuck(olderThanMs: number, limitPerReason: number): Promise<StuckTask[]> {
    return this.dispatch.findStuck(olderThanMs, limitPerReason);
  }

  releaseDependants(documentIds?: string[], limit?: number): Promise<DaneTask[]> {
    return this.dispatch.releaseDependants(documentIds, limit);
  }

  async annotateDependants(documentId: string, key: string, msg: string): Promise<number> {
    refuseNul(msg, 'msg');
    const waiting = await scanAll<TaskSource>(this.index, { query: this.dependantsQuery(documentId, key, [TaskState.UNFINISHED_DEPENDENCY]) }, TASK_ORDER);
    const after = await this.writer.writeMany(
      waiting.map((h) => ({ id: h._id, decide: (task) => annotateDoc(task, key, msg) })),
      REFRESH.stateChange,
    );
    return after.filter((t) => t !== null).length;
  }

  async findDependants(documentId: string, key: string): Promise<DaneTask[]> {
    const hits = await scanAll<TaskSource>(this.index, { query: this.dependantsQuery(documentId, key) }, TASK_ORDER);
    return hits.map((h) => taskFromHit(h)!);
  }

  nextDueAt(): Promise<Date | null> {
    return this.dispatch.nextDueAt();
  }

  /** Tasks of one document (Q3's `_routing`) that depend on `key`. */
  private dependantsQuery(documentId: string, key: string, states?: number[]) {
    const must = [routedTo(documentId), IS_TASK, { term: { 'dane_node.depends_on': key } }];
    if (states) must.push(taskStates(states));
    return bool(must);
  }
}
