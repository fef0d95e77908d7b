import { LeaseExpiryBudget, leaseExpiryOutcome } from '../../lifecycle/lease-expiry';
import { formatTimestamp, DISPATCHABLE_STATES, TRANSITIONS, TaskState, stateInfo } from '@dane/protocol';
import { TransitionRequest } from '../store.port';
import { TaskExtension, TaskSource } from './sources';

/**
 * Every task write as a pure decision: given the task as read (at a known version), either the
 * partial `doc` to apply at that version, or null when the write's condition does not hold. The
 * same conditions as the SQL statements' WHERE clauses and SET lists (sql/task-*.sql.ts).
 */
export interface TaskDoc extends Record<string, unknown> {
  task?: { state?: number; msg?: string };
  updated_at?: string;
  dane_node?: TaskExtension;
}

const CLAIM_MESSAGE = stateInfo(TRANSITIONS.claim.to)?.defaultMessage ?? 'Queued';
const RELEASE_MESSAGE = 'Dependencies done';

function stateOf(task: TaskSource): number {
  return Number(task.task.state);
}

function ext(task: TaskSource): TaskExtension {
  return task.dane_node ?? {};
}

/** A state write: state_changed_at moves only when the state does; the lease only lives in 102. */
function stateWrite(task: TaskSource, to: number, msg: string, now: Date, extra: TaskExtension = {}): TaskDoc {
  const node: TaskExtension = { ...extra };
  if (stateOf(task) !== to) node.state_changed_at = now.getTime();
  if (to !== TaskState.QUEUED) node.lease_until = null;
  return { task: { state: to, msg }, updated_at: formatTimestamp(now), dane_node: node };
}

export function transitionDoc(task: TaskSource, req: TransitionRequest, now: Date): TaskDoc | null {
  if (!req.from.includes(stateOf(task))) return null;
  if (req.attempt !== undefined && (ext(task).attempt ?? 0) !== req.attempt) return null;
  const extra: TaskExtension = {};
  // Left out: keep it; null: clear it.
  if (req.notBefore !== undefined) extra.not_before = req.notBefore ? req.notBefore.getTime() : null;
  if (req.retries === 'reset') extra.retries = 0;
  if (req.retries === 'increment') extra.retries = (ext(task).retries ?? 0) + 1;
  if (req.dependsOn) extra.depends_on = req.dependsOn;
  const doc = stateWrite(task, req.to, req.msg, now, extra);
  if (req.keepUpdatedAt) delete doc.updated_at;
  return doc;
}

/** Dispatchable and its back-off (if any) due. */
function isClaimable(task: TaskSource, now: Date): boolean {
  const notBefore = ext(task).not_before;
  return DISPATCHABLE_STATES.includes(stateOf(task)) && (notBefore === undefined || notBefore === null || notBefore <= now.getTime());
}

export function claimDoc(task: TaskSource, leaseMs: number, now: Date): TaskDoc | null {
  if (!isClaimable(task, now)) return null;
  return stateWrite(task, TRANSITIONS.claim.to, CLAIM_MESSAGE, now, {
    attempt: (ext(task).attempt ?? 0) + 1,
    lease_until: now.getTime() + leaseMs,
    heartbeat_at: null,
    not_before: null,
  });
}

/** A claim by id from one of `from`, whatever the back-off (TaskRepository.claimOne). */
export function claimOneDoc(task: TaskSource, from: readonly number[], leaseMs: number, msg: string, now: Date): TaskDoc | null {
  if (!from.includes(stateOf(task))) return null;
  return stateWrite(task, TRANSITIONS.claim.to, msg, now, {
    attempt: (ext(task).attempt ?? 0) + 1,
    lease_until: now.getTime() + leaseMs,
    heartbeat_at: null,
    not_before: null,
  });
}

/** Extends the lease of a task in 102 (at `attempt` when given); a progress message refreshes updated_at. */
export function heartbeatDoc(task: TaskSource, attempt: number | undefined, leaseMs: number, msg: string | undefined, now: Date): TaskDoc | null {
  if (stateOf(task) !== TaskState.QUEUED) return null;
  if (attempt !== undefined && (ext(task).attempt ?? 0) !== attempt) return null;
  const doc: TaskDoc = { dane_node: { lease_until: now.getTime() + leaseMs, heartbeat_at: now.getTime() } };
  if (msg !== undefined) {
    doc.task = { msg };
    doc.updated_at = formatTimestamp(now);
  }
  return doc;
}

/** The broker has the message and no worker started the task: the long queue lease. */
export function queueLeaseDoc(task: TaskSource, attempt: number, queueLeaseMs: number, now: Date): TaskDoc | null {
  if (stateOf(task) !== TaskState.QUEUED || (ext(task).attempt ?? 0) !== attempt || ext(task).heartbeat_at != null) return null;
  return { dane_node: { lease_until: now.getTime() + queueLeaseMs } };
}

/** A lost worker counts as a retry of the key; with its retries spent the task waits for a person (lease-expiry.ts). */
export function expireDoc(task: TaskSource, now: Date, budget?: LeaseExpiryBudget): TaskDoc | null {
  const lease = ext(task).lease_until;
  if (stateOf(task) !== TaskState.QUEUED || lease === undefined || lease === null || lease >= now.getTime()) return null;
  const renewed = budget !== undefined && ext(task).heartbeat_at != null;
  const outcome = leaseExpiryOutcome(task.task.key, ext(task).attempt ?? 0, ext(task).retries ?? 0, renewed, budget);
  return stateWrite(task, outcome.state, outcome.msg, now, { retries: outcome.retries, not_before: null, heartbeat_at: null });
}

/** 412 → 201; whether its dependencies are all done is decided by the caller, from their tasks. */
export function releaseDoc(task: TaskSource, now: Date): TaskDoc | null {
  if (!TRANSITIONS.release.from.includes(stateOf(task))) return null;
  return stateWrite(task, TRANSITIONS.release.to, RELEASE_MESSAGE, now);
}

/** A note on a task waiting in 412 for `key`; state and updated_at stay. */
export function annotateDoc(task: TaskSource, key: string, msg: string): TaskDoc | null {
  if (stateOf(task) !== TaskState.UNFINISHED_DEPENDENCY || !(ext(task).depends_on ?? []).includes(key)) return null;
  return { task: { msg } };
}
