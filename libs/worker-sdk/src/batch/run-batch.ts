import { randomUUID } from 'node:crypto';
import { DEFAULT_PRIORITY, formatTimestamp, taskId, type DaneDocument, TaskState } from '@dane/protocol';
import { apiClientFor, DaneApiClient, DaneApiError, type TaskView } from '../api/dane-api-client';
import type { DaneWorker } from '../dane-worker';
import { invokeHandler, errorText } from '../execution/invoke-handler';
import { TaskCancelledError } from '../execution/cancellations';
import { RunContext } from '../execution/task-context';
import { assertPayload } from '../broker/result-sender';
import { checkDocument } from '../protocol/parse-task-message';
import { Outcomes } from '../protocol/outcomes';
import type { WorkerOutcome, WorkerTask } from '../worker-task';

/**
 * A document id, `{id}` (the shape of a documents-list entry), or — from code only — a whole document, which is run
 * locally: nothing is claimed or stored, results are only reported (a harness for a worker's own tests).
 */
export type BatchItem = string | { id: string } | DaneDocument;

/** Which documents a batch run takes (they add up, in this order, without repeats). */
export interface BatchSelection {
  /** Ids given on the command line or in a documents list. */
  documents?: BatchItem[];
  /** Every document of this creator (GET /DANE/creator/<id>/docs). */
  creator?: string;
  /** The filters of GET /DANE/search/document/ (`target_id`, `creator_id`; wildcards `*` and `?`). */
  search?: Record<string, string>;
  /** Only documents whose task of this worker's key is not done (200). */
  unprocessed?: boolean;
  /** At most this many documents (after `unprocessed`). */
  limit?: number;
}

export interface BatchOptions extends BatchSelection {
  /** Run tasks that are done (200) again. */
  force?: boolean;
  /** Log the stack trace of an error a callback threw. */
  verbose?: boolean;
  /** Default: the worker's DANE.API_URL. */
  apiUrl?: string;
  /** API key (operate role). Default: env DANE_TOKEN, else the worker's DANE.API_TOKEN. */
  token?: string | null;
}

export type BatchItemStatus = 'processed' | 'skipped' | 'failed';

export interface BatchItemReport {
  document_id: string;
  status: BatchItemStatus;
  task_id?: string;
  attempt?: number;
  outcome?: WorkerOutcome;
  /** Why it was skipped or failed. */
  reason?: string;
  /** Payloads passed to saveResult, each stored as a result of the task. */
  results: Record<string, unknown>[];
}

export interface BatchSummary {
  /** Valid documents the selection named, before `unprocessed` and `limit`. */
  selected: number;
  /** Documents the run went through (selected, valid, after `unprocessed` and `limit`). */
  total: number;
  /** Ran and answered 200. */
  processed: number;
  /** Done already (200) or in flight in another worker or batch run. */
  skipped: number;
  /** Ran and answered anything else, or could not be run. */
  failed: number;
  /** Ids that name no document, reported by name. */
  unknown: string[];
  items: BatchItemReport[];
}

/**
 * Runs a worker over chosen documents without the queue, like an Arkindex worker over `--element`s, where each
 * document's task is recorded in the store (docs/workers.md, Batch mode; docs/protocol.md, Batch runs): the task of
 * the worker's key is assigned when missing and claimed through the API (→ 102, one winner among batch runs and
 * the scheduler), heartbeats extend its lease while the callback runs, results are stored under it, and its outcome
 * is applied exactly as a reply on the response queue. A task that is done is skipped (unless `force`), one in
 * flight elsewhere too; a run started again skips what the last one finished.
 */
export async function runBatch(worker: DaneWorker, options: BatchOptions): Promise<BatchSummary> {
  const api =
    options.token !== undefined ? new DaneApiClient(options.apiUrl ?? String(worker.config.DANE.API_URL), { token: options.token }) : apiClientFor(worker.config, options.apiUrl);
  const summary: BatchSummary = { selected: 0, total: 0, processed: 0, skipped: 0, failed: 0, unknown: [], items: [] };
  const selected = await select(worker, api, options, summary);
  summary.total = selected.length;
  if (summary.unknown.length > 0) worker.log.warn('batch_unknown_documents', `Unknown documents: ${summary.unknown.join(', ')}`, { unknown: summary.unknown });
  if (selected.length === 0) {
    worker.log.warn('batch_empty', 'No documents to process, stopping.');
    return summary;
  }
  for (const [index, item] of selected.entries()) {
    worker.log.info('batch_item', `Processing ${item.id} (${index + 1}/${selected.length})`, { document_id: item.id });
    const report = await runItem(worker, api, item, options);
    summary.items.push(report);
    summary[report.status]++;
  }
  const count = summary.total;
  const message = `Ran on ${count} ${count === 1 ? 'document' : 'documents'}: ${summary.processed} processed, ${summary.skipped} skipped, ${summary.failed} failed`;
  const fields = { total: count, processed: summary.processed, skipped: summary.skipped, failed: summary.failed, unknown: summary.unknown.length };
  if (summary.failed > 0) worker.log.error('batch_done', message, fields);
  else worker.log.info('batch_done', message, fields);
  return summary;
}

/** 0 every document done or skipped; 1 any failure; 2 nothing valid to do (no document selected, or only unknown ids). */
export function batchExitCode(summary: BatchSummary): number {
  if (summary.failed > 0) return 1;
  return summary.selected === 0 ? 2 : 0;
}

interface SelectedDocument {
  id: string;
  /** The document when the selection read it; the claim answers it otherwise. */
  document?: DaneDocument;
  /** A whole document given by code: run without the store. */
  local?: boolean;
}

async function select(worker: DaneWorker, api: DaneApiClient, options: BatchOptions, summary: BatchSummary): Promise<SelectedDocument[]> {
  const chosen = new Map<string, SelectedDocument>();
  for (const item of options.documents ?? []) {
    if (typeof item !== 'string' && 'target' in item) {
      chosen.set(item._id, { id: item._id, document: item, local: true });
      continue;
    }
    const id = typeof item === 'string' ? item : item.id;
    if (chosen.has(id) || summary.unknown.includes(id)) continue;
    try {
      chosen.set(id, { id, document: await api.getDocument(id) });
    } catch (e) {
      if (e instanceof DaneApiError && e.status === 404) summary.unknown.push(id);
      // Anything else (no key, API down) is the document's failure, reported when it is processed.
      else chosen.set(id, { id });
    }
  }
  const add = (docs: DaneDocument[]) => docs.forEach((d) => chosen.has(d._id) || chosen.set(d._id, { id: d._id, document: d }));
  if (options.creator !== undefined) add(await api.documentsOfCreator(options.creator));
  if (options.search !== undefined) add(await api.searchDocuments(options.search));
  let selected = [...chosen.values()];
  summary.selected = selected.length;
  if (options.unprocessed) {
    const todo: SelectedDocument[] = [];
    for (const item of selected) {
      if (options.limit !== undefined && todo.length >= options.limit) break;
      const task = item.document && !item.local ? await api.findTask(taskId(item.id, worker.taskKey)) : null;
      if (Number(task?.state) !== TaskState.SUCCESS) todo.push(item);
    }
    selected = todo;
  }
  if (options.limit !== undefined) selected = selected.slice(0, options.limit);
  return selected;
}

async function runItem(worker: DaneWorker, api: DaneApiClient, item: SelectedDocument, options: BatchOptions): Promise<BatchItemReport> {
  const report: BatchItemReport = { document_id: item.id, status: 'failed', results: [] };
  const log = worker.log.with({ document_id: item.id, task_key: worker.taskKey, mode: 'batch' });
  try {
    if (item.document) {
      const invalid = checkDocument(item.document);
      if (invalid) throw new Error(`document ${item.id} is not valid: ${invalid.message}`);
    }
    if (item.local && item.document) return await runLocal(worker, item.document, report, options.verbose === true);
    const claim = await api.claimTask(item.id, worker.taskKey, options.force === true);
    if (!claim.claimed) return skipOrFail(report, claim.task, claim.reason, log);
    report.task_id = claim.task._id;
    report.attempt = claim.attempt;
    const invalid = checkDocument(claim.document);
    if (invalid) throw new Error(`document ${item.id} is not valid: ${invalid.message}`);
    const { outcome, refused, error } = await runClaimed(worker, api, claim.task, claim.previous_state, claim.attempt, claim.lease_seconds, claim.document, report, log);
    report.outcome = outcome;
    if (error && options.verbose && error instanceof Error && error.stack) log.error('batch_item_stack', error.stack);
    const stored = await api.reportOutcome(claim.task._id, claim.attempt, {
      state: outcome.state,
      message: outcome.message,
      ...(outcome.dependencies !== undefined ? { dependencies: outcome.dependencies } : {}),
      ...(typeof outcome.retry_after_ms === 'number' ? { retry_after_ms: outcome.retry_after_ms } : {}),
      ...(refused ? { refused: true } : {}),
    });
    if (outcome.state === TaskState.SUCCESS && !refused) {
      report.status = 'processed';
      return report;
    }
    report.reason = `${refused ? 'refused: ' : ''}${outcome.state} ${outcome.message} (task now ${stored.state} ${stored.msg ?? ''})`.trim();
  } catch (e) {
    report.reason = errorText(e);
    if (options.verbose && e instanceof Error && e.stack) log.error('batch_item_stack', e.stack);
  }
  log.warn('batch_item_failed', `Failed running worker on document ${item.id}: ${report.reason}`);
  return report;
}

/** A whole document given by code: the callback with a synthetic task (id sha1(doc+KEY), 201, no args), results reported only. */
async function runLocal(worker: DaneWorker, document: DaneDocument, report: BatchItemReport, verbose: boolean): Promise<BatchItemReport> {
  const invalid = checkDocument(document);
  if (invalid) throw new Error(`document ${document._id} is not valid: ${invalid.message}`);
  const now = formatTimestamp();
  const task: WorkerTask = {
    _id: taskId(document._id, worker.taskKey),
    key: worker.taskKey,
    state: TaskState.CREATED,
    msg: 'Created',
    priority: DEFAULT_PRIORITY,
    args: {},
    created_at: now,
    updated_at: now,
  };
  const log = worker.log.with({ task_id: task._id, document_id: document._id, task_key: task.key, mode: 'batch-local' });
  const ctx = new RunContext(task, document, log, new AbortController().signal, {
    heartbeat: async (progress) => log.debug('heartbeat', progress ?? 'Processing'),
    saveResult: async (payload) => {
      assertPayload(payload);
      report.results.push(payload);
      log.info('batch_result', 'Result (a local run: reported, not stored)', { payload });
      return randomUUID();
    },
  });
  let error: unknown;
  const { outcome } = await invokeHandler(
    (t, d, c) =>
      worker.handleTask(t, d, c).catch((e: unknown) => {
        error = e;
        throw e;
      }),
    task,
    document,
    ctx,
  );
  ctx.finish();
  if (verbose && error instanceof Error && error.stack) log.error('batch_item_stack', error.stack);
  report.task_id = task._id;
  report.outcome = outcome;
  if (outcome.state === TaskState.SUCCESS) report.status = 'processed';
  else {
    report.reason = `${outcome.state} ${outcome.message}`;
    log.warn('batch_item_failed', `Failed running worker on document ${document._id}: ${report.reason}`);
  }
  return report;
}

function skipOrFail(report: BatchItemReport, task: TaskView | null, reason: string, log: DaneWorker['log']): BatchItemReport {
  report.task_id = task?._id;
  report.reason = reason;
  const state = Number(task?.state);
  if (state === TaskState.SUCCESS || state === TaskState.QUEUED) {
    report.status = 'skipped';
    log.info('batch_item_skipped', `Skipped ${report.document_id}: ${reason}`, { task_id: task?._id, state });
  } else {
    log.warn('batch_item_failed', `Failed running worker on document ${report.document_id}: ${reason}`, { task_id: task?._id, state });
  }
  return report;
}

interface ClaimedRun {
  outcome: WorkerOutcome;
  refused: boolean;
  /** What the callback threw, for --verbose. */
  error?: unknown;
}

/**
 * The callback on a claimed task, as in queue mode: declared dependencies checked first (412 naming the keys that
 * are not done), heartbeats every heartbeatIntervalMs (at most a third of the lease) and on ctx.heartbeat, results
 * stored through the API under the task. A refused heartbeat (the task was cancelled, reset, or lost its lease) aborts
 * ctx.signal — with a TaskCancelledError when the task is in 499 — so the callback can stop.
 */
async function runClaimed(
  worker: DaneWorker,
  api: DaneApiClient,
  view: TaskView,
  previousState: number,
  attempt: number,
  leaseSeconds: number,
  document: DaneDocument,
  report: BatchItemReport,
  log: DaneWorker['log'],
): Promise<ClaimedRun> {
  const taskLog = log.with({ task_id: view._id, attempt });
  const dependsOn = worker.options.dependsOn ?? [];
  if (dependsOn.length > 0) {
    const done = new Set((await api.tasksOfDocument(document._id)).filter((t) => Number(t.state) === TaskState.SUCCESS).map((t) => t.key));
    const missing = dependsOn.filter((k) => !done.has(k.toUpperCase()));
    if (missing.length > 0) {
      taskLog.info('dependencies_unfinished', `Waiting for ${missing.join(', ')}`);
      return { outcome: Outcomes.unfinishedDependencies(missing), refused: false };
    }
  }
  const task: WorkerTask = {
    _id: view._id,
    key: view.key,
    state: previousState,
    msg: view.msg ?? '',
    priority: view.priority,
    args: isEmptyArgs(view.args) ? {} : view.args,
    created_at: view.created_at ?? '',
    updated_at: view.updated_at ?? '',
    attempt,
  } as WorkerTask;
  let lost = false;
  const abort = new AbortController();
  const beat = async (progress?: string) => {
    if (lost) return;
    try {
      if (!(await api.heartbeatTask(view._id, attempt, progress))) {
        lost = true;
        // Cancelled (499), reset, or its lease ran out: tell the callback through ctx.signal, as queue mode does.
        const now = await api.findTask(view._id).catch(() => null);
        const cancelled = Number(now?.state) === TaskState.CANCELLED;
        taskLog.warn(
          'heartbeat_refused',
          `The task is no longer in flight at this attempt (${cancelled ? 'cancelled' : 'reset, or its lease ran out'}); its outcome will not be applied`,
        );
        abort.abort(cancelled ? new TaskCancelledError(view._id, attempt) : new Error(`Task ${view._id} is no longer in flight at attempt ${attempt}`));
      }
    } catch (e) {
      taskLog.warn('heartbeat_failed', `Heartbeat failed: ${errorText(e)}`);
    }
  };
  const ctx = new RunContext(task, document, taskLog, abort.signal, {
    heartbeat: (progress) => beat(progress),
    saveResult: async (payload) => {
      assertPayload(payload);
      const stored = await api.saveResult(view._id, worker.generator as unknown as Record<string, unknown>, payload);
      report.results.push(payload);
      taskLog.debug('result_saved', 'Result stored', { result_id: stored._id });
      return String(stored._id ?? '');
    },
  });
  const intervalMs = Math.max(10, Math.min(worker.options.heartbeatIntervalMs, (leaseSeconds * 1000) / 3));
  const timer = setInterval(() => void ctx.heartbeat(), intervalMs);
  let error: unknown;
  try {
    const { outcome, refused } = await invokeHandler(
      async (t, d, c) => {
        try {
          return await worker.handleTask(t, d, c);
        } catch (e) {
          error = e;
          throw e;
        }
      },
      task,
      document,
      ctx,
    );
    taskLog.info('task_finished', outcome.message, { state: outcome.state });
    return { outcome, refused, error };
  } finally {
    clearInterval(timer);
    ctx.finish();
  }
}

function isEmptyArgs(args: Record<string, unknown> | undefined): boolean {
  if (!args) return true;
  const keys = Object.keys(args);
  return keys.length === 0 || (keys.length === 1 && keys[0] === '*' && args['*'] === null);
}
