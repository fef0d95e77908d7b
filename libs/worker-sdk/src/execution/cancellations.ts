/** Why a callback's `ctx.signal` was aborted by a cancellation (its `reason`). */
export class TaskCancelledError extends Error {
  override readonly name = 'TaskCancelledError';
  constructor(
    readonly taskId: string,
    readonly attempt?: number,
  ) {
    super(`Task ${taskId} was cancelled`);
  }
}

/** How many cancelled task ids a worker remembers, so a message of one that arrives later is not run. */
const REMEMBERED = 10_000;

/**
 * The tasks this worker process runs, by id, each with the controller behind its `ctx.signal`, and the tasks it
 * heard were cancelled (docs/protocol.md, Cancellation). A cancellation aborts the running task of that id when its
 * attempt is not newer than the cancelled one; a message that arrives afterwards for a cancelled attempt is not run.
 * Attempts are compared only when both are known (a Python server sends none): then a cancel applies to any attempt.
 */
export class Cancellations {
  private readonly running = new Map<string, Array<{ attempt?: number; controller: AbortController }>>();
  private readonly cancelled = new Map<string, number | undefined>();

  /**
   * A task starts: its own controller, behind its `ctx.signal`, aborted by a cancellation or by `stopping` (the
   * worker's shutdown signal) until `end()`. Linked with a listener that `end()` removes, not AbortSignal.any:
   * on Node 20 every signal AbortSignal.any builds stays in memory as long as one of its sources does, ~2 KB
   * per task for the worker's whole life.
   */
  start(taskId: string, attempt: number | undefined, stopping?: AbortSignal): { signal: AbortSignal; end(): void } {
    const controller = new AbortController();
    const unlink = linkAbort(stopping, controller);
    const entry = { attempt, controller };
    const list = this.running.get(taskId) ?? [];
    list.push(entry);
    this.running.set(taskId, list);
    return {
      signal: controller.signal,
      end: () => {
        unlink();
        const now = this.running.get(taskId);
        if (!now) return;
        const rest = now.filter((e) => e !== entry);
        if (rest.length) this.running.set(taskId, rest);
        else this.running.delete(taskId);
      },
    };
  }

  /** A cancellation was heard: aborts the matching running task(s); returns how many. */
  cancel(taskId: string, attempt: number | undefined): number {
    this.cancelled.delete(taskId);
    this.cancelled.set(taskId, attempt);
    if (this.cancelled.size > REMEMBERED) this.cancelled.delete(this.cancelled.keys().next().value!);
    let aborted = 0;
    for (const e of this.running.get(taskId) ?? []) {
      if (!applies(attempt, e.attempt) || e.controller.signal.aborted) continue;
      e.controller.abort(new TaskCancelledError(taskId, e.attempt));
      aborted++;
    }
    return aborted;
  }

  /** A message for this task at this attempt was cancelled before it started. */
  wasCancelled(taskId: string, attempt: number | undefined): boolean {
    if (!this.cancelled.has(taskId)) return false;
    return applies(this.cancelled.get(taskId), attempt) && attempt !== undefined;
  }
}

/** Aborts `controller` when `source` aborts (at once if it has), with its reason; returns what unlinks them. */
function linkAbort(source: AbortSignal | undefined, controller: AbortController): () => void {
  if (!source) return () => undefined;
  if (source.aborted) {
    controller.abort(source.reason);
    return () => undefined;
  }
  const onAbort = () => controller.abort(source.reason);
  source.addEventListener('abort', onAbort, { once: true });
  return () => source.removeEventListener('abort', onAbort);
}

/** A cancel at `cancelledAttempt` applies to a run at `attempt` unless the run is a newer dispatch. */
function applies(cancelledAttempt: number | undefined, attempt: number | undefined): boolean {
  return cancelledAttempt === undefined || attempt === undefined || attempt <= cancelledAttempt;
}
