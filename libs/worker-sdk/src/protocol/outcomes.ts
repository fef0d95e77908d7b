import { FrameRejections, heartbeatOutcome, TaskState, WORKER_OUTCOME_STATES } from '@dane/protocol';
import type { WorkerOutcome } from '../worker-task';

/**
 * The replies the SDK sends on its own, worded as the Python base_worker words them (the table in
 * docs/protocol.md, Replies), so dashboards and scripts that match on these texts keep working.
 */
export const Outcomes = {
  incompleteSpecification: (): WorkerOutcome => FrameRejections.incompleteSpecification(),
  invalidFormat: (): WorkerOutcome => FrameRejections.invalidFormat(),
  unhandledError: (text: string): WorkerOutcome => FrameRejections.unhandledError(text),
  unhandledWorkerError: (text: string): WorkerOutcome => ({ state: TaskState.ERROR, message: `Unhandled worker error: ${text}` }),
  unfinishedDependencies: (keys: string[]): WorkerOutcome => ({
    state: TaskState.UNFINISHED_DEPENDENCY,
    message: 'Unfinished dependencies',
    dependencies: [...keys],
  }),
  /** Refusal goes back as "created again" so the server re-dispatches it after a back-off. */
  refused: (reason: string): WorkerOutcome => ({ state: TaskState.CREATED, message: `Refused by worker: ${reason}` }),
  progress: (message: string | undefined): WorkerOutcome => heartbeatOutcome(message),
};

/**
 * Checks what a callback returned. A JSON string is decoded (the documented Python example worker
 * returned `json.dumps({...})`); anything without an integer outcome state becomes a 500 that says why,
 * instead of a reply the server would have to reject.
 */
export function normaliseOutcome(value: unknown): WorkerOutcome {
  let data = value;
  if (typeof value === 'string') {
    try {
      data = JSON.parse(value);
    } catch {
      return Outcomes.unhandledWorkerError(`callback returned a string that is not JSON: ${value.slice(0, 200)}`);
    }
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return Outcomes.unhandledWorkerError(`callback must return {state, message}, got ${describe(data)}`);
  }
  const out = data as Record<string, unknown>;
  const state = out.state;
  if (typeof state !== 'number' || !WORKER_OUTCOME_STATES.includes(state)) {
    return Outcomes.unhandledWorkerError(
      `callback returned state ${JSON.stringify(state ?? null)}; expected one of ${WORKER_OUTCOME_STATES.join(', ')} (102 is sent by heartbeats)`,
    );
  }
  const message = typeof out.message === 'string' ? out.message : out.message === undefined ? '' : JSON.stringify(out.message);
  return { ...out, state, message };
}

function describe(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  return Array.isArray(v) ? 'a list' : `a ${typeof v}`;
}
