import { DaneDocument, DaneResult, DaneTask, DaneError, Page, PageRequest } from '@dane/protocol';
import type { LeaseExpiryBudget } from '../lifecycle/lease-expiry';
import type { NeedsPersonCount } from '../lifecycle/needs-person';
import type { ApiKeyRepository } from '../auth/api-key.repository';
import type { CampaignRepository } from './campaign.port';

/** Injection token of the store (a `DaneStore`). */
export const DANE_STORE = Symbol('DANE_STORE');

export type StoreKind = 'postgres' | 'pglite' | 'elasticsearch';

export interface BulkOutcome<T> {
  item: T;
  /** Set when this item failed (DocumentExistsError, TaskAssignedError, NotFoundError, …). */
  error?: DaneError;
}

export interface DocumentSearch {
  /** Wildcard patterns on target.id / creator.id: `*` any run, `?` one character (docs/protocol.md, Creator and search routes). */
  targetId?: string;
  creatorId?: string;
}

export interface DocumentRepository {
  /** Create-only; an existing id → DocumentExistsError (docs/protocol.md, Document id). */
  insert(doc: DaneDocument): Promise<void>;
  /** One statement for many; per-item DocumentExistsError. */
  insertMany(docs: DaneDocument[]): Promise<BulkOutcome<DaneDocument>[]>;
  findById(id: string): Promise<DaneDocument | null>;
  findByIds(ids: string[]): Promise<DaneDocument[]>;
  search(query: DocumentSearch, page: PageRequest): Promise<Page<DaneDocument>>;
  /** Deletes the document with its tasks and results. False when it did not exist. */
  delete(id: string): Promise<boolean>;
  /** Deletes those that exist; returns how many. */
  deleteMany(ids: string[]): Promise<number>;
}

export interface TaskFilter {
  key?: string;
  states?: readonly number[];
  notStates?: readonly number[];
  documentId?: string;
  creatorId?: string;
  /** true: only tasks that need a person (lifecycle/needs-person.ts: manual states, retries spent, blocked by such a task). */
  needsPerson?: boolean;
}

/**
 * One conditional state write: applied only when the task is in one of `from` (and, when given,
 * at dispatch attempt `attempt`). Returns the task as stored after the write, or null when the
 * condition did not hold (someone else won, or the reply is stale).
 */
export interface TransitionRequest {
  id: string;
  from: readonly number[];
  to: number;
  msg: string;
  attempt?: number;
  /** Earliest time the dispatcher may claim it (retry back-off). null clears it. */
  notBefore?: Date | null;
  /** 'reset' sets the auto-retry counter to 0; 'increment' adds one. */
  retries?: 'reset' | 'increment';
  /** Replaces the submitter/worker-declared dependency keys. */
  dependsOn?: string[];
  /** Keep `updated_at` as it is (mass reset; docs/protocol.md, Timestamps). */
  keepUpdatedAt?: boolean;
}

/** A claimed task: `task.state`/`task.msg` are the values *before* the claim (docs/protocol.md, Task message), `task.attempt` the new attempt. */
export interface ClaimedTask {
  task: DaneTask;
  document: DaneDocument;
  leaseUntil: Date;
}

/**
 * Why the sweeper reports a task as stuck (`findStuck`). A task in 102 whose worker keeps
 * heartbeating (fresh lease) is never stuck, however long it runs; a task waiting in 412 for a
 * dependency that is not 200 is not stuck either (it is blocked, and says so in its msg). Stuck
 * means the system itself failed to move it:
 * - `lease_not_swept`: in 102 with a lease that ran out longer ago than the threshold — the lease
 *   sweep is not running (no scheduler alive, or its sweeps fail);
 * - `not_dispatched`: runnable (201/205, or 502/503 with its back-off due) for longer than the
 *   threshold without being claimed — no dispatcher alive, or it has no broker channel;
 * - `release_missed`: in 412 while every dependency has been 200 for longer than the threshold —
 *   the dependency release is not running.
 */
export type StuckReason = 'lease_not_swept' | 'not_dispatched' | 'release_missed';

export interface StuckTask {
  reason: StuckReason;
  task: DaneTask;
  /** Since when it should have moved: the lease's end, when it became due, when its dependencies were done. */
  since: Date;
}

export interface TaskStats {
  key: string;
  state: number;
  count: number;
}

export interface TaskRepository {
  /** Create-only; unknown document → NotFoundError; same key on the document → TaskAssignedError. */
  insert(task: DaneTask): Promise<void>;
  insertMany(tasks: DaneTask[]): Promise<BulkOutcome<DaneTask>[]>;
  findById(id: string): Promise<DaneTask | null>;
  findByIds(ids: string[]): Promise<DaneTask[]>;
  /** Ordered by insertion. */
  list(filter: TaskFilter, page: PageRequest): Promise<Page<DaneTask>>;
  /** Counts by key and state, of one key when given. */
  countByKeyAndState(key?: string): Promise<TaskStats[]>;
  /** Tasks that need a person (lifecycle/needs-person.ts), counted by key (keys without any left out), of one key when given. */
  countNeedingPerson(key?: string): Promise<NeedsPersonCount[]>;
  delete(id: string): Promise<boolean>;

  transition(req: TransitionRequest): Promise<DaneTask | null>;
  /** Many conditional transitions in one statement; result i belongs to request i. */
  transitionMany(reqs: TransitionRequest[]): Promise<(DaneTask | null)[]>;
  /**
   * transitionMany, and the release of the 412 tasks whose last dependency one of these transitions
   * just brought to 200 — in one atomic operation where the store has them (SQL: one statement);
   * Elasticsearch does it in two steps (the sweep heals a crash in between).
   */
  transitionManyAndRelease(reqs: TransitionRequest[]): Promise<{ stored: (DaneTask | null)[]; released: DaneTask[] }>;
  /** Mass reset: every task of `key` in `state` → `to` (updated_at untouched). Returns the count. */
  transitionAll(filter: { key: string; state: number }, to: number, msg: string): Promise<number>;

  /**
   * Claims up to `limit` dispatchable tasks (201/205, or 502/503 whose back-off is due; never before
   * `not_before`), highest priority first, oldest first: state → 102, attempt + 1, lease until
   * now + leaseMs. Concurrent claimers never get the same task (SKIP LOCKED). Within a priority the SQL
   * stores take turns between the creators of the tasks' documents (per key and creator, oldest first:
   * docs/architecture.md, principle 2) and, with `maxInFlightPerKey` > 0, claim no task of a key that has
   * that many tasks in 102 already (the Elasticsearch store keeps priority, then oldest, and no limit).
   */
  claimRunnable(limit: number, leaseMs: number, maxInFlightPerKey?: number): Promise<ClaimedTask[]>;
  /**
   * Claims one task by id for a caller that runs it itself (a worker's batch run): when its state is one of `from`
   * (whatever its back-off), state → 102 with `msg`, attempt + 1, lease until now + leaseMs, no heartbeat yet, back-off
   * cleared; the retry counter is kept. One conditional write: of concurrent claimers (batch runs, dispatchers) one
   * wins. Returns the task as stored after the claim, or null when it was not in one of `from`.
   */
  claimOne(id: string, from: readonly number[], leaseMs: number, msg: string): Promise<DaneTask | null>;
  /** Extends the lease of a task in 102 (at `attempt` when given). Returns false when not in 102. */
  heartbeat(id: string, attempt: number | undefined, leaseMs: number, msg?: string): Promise<boolean>;
  /**
   * The broker confirmed these messages: tasks still in 102 at that attempt that no worker has
   * started (no heartbeat) get the long queue lease. A claim's own lease is short, so a crash
   * between claim and publish heals quickly; a task waiting in a long queue is not sent twice.
   * Returns how many leases were extended.
   */
  confirmPublished(tasks: ReadonlyArray<{ id: string; attempt: number }>, queueLeaseMs: number): Promise<number>;
  /**
   * 102 tasks whose lease ran out (oldest first, at most `limit`), in one conditional write per
   * batch. With a `budget`, an expiry whose lease a heartbeat had renewed (a worker had the task and
   * went silent) counts as a retry of the key (the same per-key limit as 502/503): retries left →
   * 201 "Worker lost (…); dispatching again — retry k of L", retries + 1; spent → 500 "Worker lost
   * (lease expired on attempt N) — retries spent (L of L)", waiting for a person. An expiry without
   * a heartbeat (still queued) — or any expiry without a budget — → 201 "Lease expired (attempt N);
   * dispatching again", nothing counted. See lifecycle/lease-expiry.ts. Returns the tasks as stored.
   */
  expireLeases(limit: number, budget?: LeaseExpiryBudget): Promise<DaneTask[]>;
  /**
   * Tasks the system failed to move for longer than `olderThanMs` (see StuckReason), at most
   * `limitPerReason` of each reason, oldest first. Read-only; index-backed, for the periodic report.
   */
  findStuck(olderThanMs: number, limitPerReason: number): Promise<StuckTask[]>;
  /**
   * 412 tasks of these documents (all documents when omitted) whose every `depends_on` key is in 200
   * → 201 "Dependencies done". Returns the released tasks.
   */
  releaseDependants(documentIds?: string[], limit?: number): Promise<DaneTask[]>;
  /** Tasks of `documentId` in 412 that depend on `key`: update their msg (state unchanged). */
  annotateDependants(documentId: string, key: string, msg: string): Promise<number>;
  /** Tasks of `documentId` that depend (directly) on `key`. */
  findDependants(documentId: string, key: string): Promise<DaneTask[]>;
  /** When the next not_before falls (for the sweeper's sleep), or null. */
  nextDueAt(): Promise<Date | null>;
}

export interface ResultQuery {
  taskId?: string;
  documentId?: string;
  taskKey?: string;
  creatorId?: string;
  generatorName?: string;
  generatorId?: string;
}

export interface ResultRepository {
  /** Unknown task → NotFoundError. `dedupKey` makes a redelivered result a no-op (at-least-once). */
  insert(result: DaneResult, dedupKey?: string): Promise<DaneResult>;
  findById(id: string): Promise<DaneResult | null>;
  find(query: ResultQuery, page: PageRequest): Promise<Page<DaneResult>>;
  delete(id: string): Promise<boolean>;
}

export interface DaneStore {
  readonly kind: StoreKind;
  readonly documents: DocumentRepository;
  readonly tasks: TaskRepository;
  readonly results: ResultRepository;
  /** API keys (hashed); see libs/dane-core/src/auth. */
  readonly apiKeys: ApiKeyRepository;
  /** Campaigns (storage/campaign.port.ts); undefined where the store keeps none (Elasticsearch). */
  readonly campaigns?: CampaignRepository;
  /** Throws StorageUnavailableError when the store cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
