import { type DaneDocument, RefuseJobError } from '@dane/protocol';
import { OutcomeError } from '../errors/outcome-errors';
import { normaliseOutcome, Outcomes } from '../protocol/outcomes';
import type { WorkerOutcome, WorkerTask } from '../worker-task';
import type { TaskContext } from './task-context';

export type TaskHandler = (task: WorkerTask, document: DaneDocument, ctx: TaskContext) => unknown;

export interface HandlerResult {
  outcome: WorkerOutcome;
  refused: boolean;
}

/**
 * Runs a callback and turns whatever happens into a reply: its outcome, a refusal (RefuseJob), the outcome a
 * typed error stands for (RetryLater, NeedsPerson), or a 500 for anything else (docs/protocol.md, Replies).
 */
export async function invokeHandler(handler: TaskHandler, task: WorkerTask, document: DaneDocument, ctx: TaskContext): Promise<HandlerResult> {
  try {
    return { outcome: normaliseOutcome(await handler(task, document, ctx)), refused: false };
  } catch (e) {
    if (e instanceof RefuseJobError) return { outcome: Outcomes.refused(e.message), refused: true };
    if (e instanceof OutcomeError) return { outcome: e.toOutcome(), refused: false };
    return { outcome: Outcomes.unhandledWorkerError(errorText(e)), refused: false };
  }
}

export function errorText(e: unknown): string {
  if (e instanceof Error) return e.message || e.name;
  // Nest's RPC filters throw plain `{status, message}` objects.
  if (typeof e === 'object' && e !== null && typeof (e as { message?: unknown }).message === 'string') return (e as { message: string }).message;
  return typeof e === 'string' ? e : (JSON.stringify(e) ?? String(e));
}
