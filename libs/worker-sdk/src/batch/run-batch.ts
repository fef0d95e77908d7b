import { randomUUID } from 'node:crypto';
import { DEFAULT_PRIORITY, formatTimestamp, taskId, type DaneDocument, TaskState } from '@dane/protocol';
import { apiClientFor, DaneApiClient } from '../api/dane-api-client';
import type { DaneWorker } from '../dane-worker';
import { invokeHandler, errorText } from '../execution/invoke-handler';
import { RunContext } from '../execution/task-context';
import { assertPayload } from '../broker/result-sender';
import { checkDocument } from '../protocol/parse-task-message';
import type { WorkerOutcome, WorkerTask } from '../worker-task';

/** A document id, `{id}` (the shape of a documents-list entry), or a whole document. */
export type BatchItem = string | { id: string } | DaneDocument;

export interface BatchOptions {
  documents: BatchItem[];
  /** Default: the worker's DANE.API_URL. */
  apiUrl?: string;
  /** API key for fetching documents. Default: env DANE_TOKEN, else the worker's DANE.API_TOKEN. */
  token?: string | null;
}

export interface BatchItemReport {
  document_id: string;
  outcome?: WorkerOutcome;
  error?: string;
  /** Payloads passed to saveResult; batch mode logs them instead of storing them (there is no server task). */
  results: Record<string, unknown>[];
}

export interface BatchSummary {
  total: number;
  completed: number;
  failed: number;
  items: BatchItemReport[];
}

/**
 * Runs a worker over a list of documents without the broker, like an Arkindex worker given
 * `--element` (seed 004): documents come from the API, the task is synthetic (id sha1(doc+KEY), state
 * 201, no args), heartbeats are debug lines and results are logged. A document counts as completed
 * when the callback answers 200; anything else, or an error fetching it, is a failure.
 */
export async function runBatch(worker: DaneWorker, options: BatchOptions): Promise<BatchSummary> {
  const api =
    options.token !== undefined ? new DaneApiClient(options.apiUrl ?? String(worker.config.DANE.API_URL), { token: options.token }) : apiClientFor(worker.config, options.apiUrl);
  const count = options.documents.length;
  const summary: BatchSummary = { total: count, completed: 0, failed: 0, items: [] };
  if (count === 0) {
    worker.log.warn('batch_empty', 'No documents to process, stopping.');
    return summary;
  }
  for (const [index, item] of options.documents.entries()) {
    const id = typeof item === 'string' ? item : '_id' in item ? item._id : item.id;
    const report: BatchItemReport = { document_id: id, results: [] };
    summary.items.push(report);
    worker.log.info('batch_item', `Processing ${id} (${index + 1}/${count})`, { document_id: id });
    try {
      const document = typeof item === 'string' || !('target' in item) ? await api.getDocument(id) : item;
      const invalid = checkDocument(document);
      if (invalid) throw new Error(`document ${id} is not valid: ${invalid.message}`);
      report.outcome = await runOne(worker, document, report);
      if (report.outcome.state !== TaskState.SUCCESS) throw new Error(`${report.outcome.state} ${report.outcome.message}`);
      summary.completed++;
    } catch (e) {
      summary.failed++;
      report.error = errorText(e);
      worker.log.warn('batch_item_failed', `Failed running worker on document ${id}: ${report.error}`, { document_id: id });
    }
  }
  const message = `Ran on ${count} ${count === 1 ? 'document' : 'documents'}: ${summary.completed} completed, ${summary.failed} failed`;
  if (summary.failed > 0) worker.log.error('batch_done', message, { total: count, completed: summary.completed, failed: summary.failed });
  else worker.log.info('batch_done', message, { total: count, completed: summary.completed, failed: 0 });
  return summary;
}

/** Exit status of a batch: 1 when nothing was processed or everything failed (as Arkindex workers do). */
export function batchExitCode(summary: BatchSummary): number {
  return summary.total === 0 || summary.failed >= summary.total ? 1 : 0;
}

async function runOne(worker: DaneWorker, document: DaneDocument, report: BatchItemReport): Promise<WorkerOutcome> {
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
  const log = worker.log.with({ task_id: task._id, document_id: document._id, task_key: task.key, mode: 'batch' });
  const ctx = new RunContext(task, document, log, new AbortController().signal, {
    heartbeat: async (progress) => log.debug('heartbeat', progress ?? 'Processing'),
    saveResult: async (payload) => {
      assertPayload(payload);
      report.results.push(payload);
      log.info('batch_result', 'Result (batch mode: logged, not stored)', { payload });
      return randomUUID();
    },
  });
  const { outcome } = await invokeHandler((t, d, c) => worker.handleTask(t, d, c), task, document, ctx);
  ctx.finish();
  log.info('task_finished', outcome.message, { state: outcome.state });
  return outcome;
}
