import {
  DaneTask,
  TaskSpec,
  type IncomingReply,
  type WorkerReply,
  requestedRetryDelay,
  AUTO_RETRY_STATES,
  MANUAL_STATES,
  RUNNABLE_STATES,
  TRANSITIONS,
  TaskState,
} from '@dane/protocol';
import { TransitionRequest } from '../storage/store.port';
import { retryDelay } from './backoff';
import { DependencySpecs, dependencySpecs, mergeKeys } from './dependencies';
import { PARKED_UNTIL, RetryPolicy, retryLimit } from './retry-policy';

/** What the scheduler does after the write, besides acknowledging the reply. */
export type OutcomeEffect =
  /** 200: release the document's dependants. */
  | 'succeeded'
  /** Back to runnable (or auto-retry state) with a back-off. */
  | 'retry_scheduled'
  /** Auto-retries used up: parked, waits for a person like the manual states. */
  | 'retries_spent'
  /** 400/403/404/422/500: waits for a person. */
  | 'needs_person'
  /** 412: assign the missing dependencies, wait for them. */
  | 'waiting_for_dependencies';

export type ReplyDecision =
  | { action: 'ignore'; reason: string }
  | { action: 'heartbeat'; attempt: number; msg: string }
  | {
      action: 'transition';
      effect: OutcomeEffect;
      request: TransitionRequest;
      /** 412 only: dependencies to assign to the document. */
      assign?: TaskSpec[];
      /** 412 only: dependency entries that could not become tasks. */
      rejected?: Array<{ entry: unknown; reason: string }>;
    };

export interface DecisionContext {
  now: Date;
  policy: RetryPolicy;
  random?: () => number;
  /**
   * For a 412 with an empty dependency list: keys of the document's other tasks not in 200. The Python worker
   * sends [] when a dependency is assigned but unfinished (docs/protocol.md, Dependencies) without naming it,
   * so the task waits for every unfinished sibling; it re-checks once they are done.
   */
  unfinishedSiblings?: readonly string[];
  /**
   * For any 412: keys of the document's other tasks in 200. A dependency the worker says is unfinished while the
   * server has it done (a worker that reads another store, e.g. a Python worker reading Elasticsearch while the
   * server stores in PostgreSQL) is a pointless 412: waiting in 412 would release it at once and loop.
   */
  doneSiblings?: readonly string[];
}

/**
 * Decides the state write for one reply to a task in flight (architecture principles 3–5). Pure:
 * the caller reads the task, applies the request as one conditional transition from 102 at the
 * attempt read, and carries out the effect.
 */
export function decideReply(task: DaneTask, incoming: IncomingReply, ctx: DecisionContext): ReplyDecision {
  // A cancelled task's late reply is stale like any other: nothing applies it (docs/protocol.md, Cancellation).
  if (task.state === TaskState.CANCELLED) return { action: 'ignore', reason: `task was cancelled (${task.state}); its reply changes nothing` };
  if (task.state !== TaskState.QUEUED) return { action: 'ignore', reason: `task is in ${task.state}, not in flight` };
  if (incoming.attempt !== undefined && incoming.attempt !== task.attempt) {
    return { action: 'ignore', reason: `reply for attempt ${incoming.attempt}, the task is at attempt ${task.attempt}` };
  }
  const { reply } = incoming;
  if (incoming.kind === 'heartbeat' || reply.state === TaskState.QUEUED) {
    return { action: 'heartbeat', attempt: task.attempt, msg: reply.message };
  }
  if (incoming.kind === 'refused') return retryOrPark(task, TaskState.CREATED, `Refused by worker: ${reply.message}`, ctx);

  const state = reply.state;
  if (state === TaskState.SUCCESS) {
    return { action: 'transition', effect: 'succeeded', request: request(task, state, reply.message, { retries: 'reset', notBefore: null }) };
  }
  if (AUTO_RETRY_STATES.includes(state) || RUNNABLE_STATES.includes(state)) return retryOrPark(task, state, reply.message, ctx, requestedRetryDelay(reply));
  if (state === TaskState.UNFINISHED_DEPENDENCY) return waitForDependencies(task, reply, ctx);
  if (MANUAL_STATES.includes(state)) {
    return { action: 'transition', effect: 'needs_person', request: request(task, state, reply.message, { notBefore: null }) };
  }
  return { action: 'ignore', reason: `state ${state} is not a worker outcome` };
}

/**
 * A 412 waits in 412 for what is unfinished on the server: the keys the worker names (assigned if missing) and
 * the task's own `depends_on`; a 412 naming nothing (Python's "assigned but unfinished") waits for the document's
 * unfinished tasks. A 412 that leaves nothing unfinished to wait for is pointless — the worker disagrees with the
 * server (it names keys the server has in 200, or only keys the server cannot assign): waiting would release the
 * task at once and re-dispatch it in a loop. It is counted against the key's retry budget instead, runs again
 * after a back-off, and once the budget is spent waits for a person with a message naming the dependency and the
 * likely cause (retryOrPark).
 */
function waitForDependencies(task: DaneTask, reply: WorkerReply, ctx: DecisionContext): ReplyDecision {
  const { specs, rejected } = dependencySpecs(reply.dependencies ?? [], task.key);
  const named = specs.map((s) => s.key);
  const unnamed = named.length === 0 && rejected.length === 0;
  const waitFor = mergeKeys(task.depends_on, unnamed ? (ctx.unfinishedSiblings ?? []) : named).filter((k) => k !== task.key);
  const done = new Set(ctx.doneSiblings ?? []);
  if (!waitFor.some((k) => !done.has(k))) return retryOrPark(task, TaskState.CREATED, `${reply.message}: ${disagreement(named, rejected, ctx)}`, ctx);
  return {
    action: 'transition',
    effect: 'waiting_for_dependencies',
    request: request(task, TRANSITIONS.wait.to, reply.message, { dependsOn: waitFor, notBefore: null }),
    assign: specs,
    rejected,
  };
}

/** Why a 412 left nothing to wait for: the dependency the worker names and the likely cause. */
function disagreement(named: readonly string[], rejected: DependencySpecs['rejected'], ctx: DecisionContext): string {
  const done = new Set(ctx.doneSiblings ?? []);
  const doneNamed = named.filter((k) => done.has(k));
  const parts: string[] = [];
  if (doneNamed.length > 0) {
    const [are, them] = doneNamed.length === 1 ? ['is', 'it'] : ['are', 'them'];
    parts.push(`the worker says ${doneNamed.join(', ')} ${are} unfinished but the server has ${them} done (200) — does the worker read another store?`);
  }
  if (rejected.length > 0) {
    const entries = rejected.map(({ entry, reason }) => `${preview(entry)} (${reason})`).join('; ');
    parts.push(`the worker names ${rejected.length === 1 ? 'a dependency' : 'dependencies'} the server cannot assign: ${entries} — is the worker's dependency list wrong?`);
  }
  if (parts.length === 0) {
    // A 412 naming nothing, and nothing of the document unfinished.
    const siblings = ctx.doneSiblings ?? [];
    parts.push(
      siblings.length > 0
        ? `the worker says a dependency is unfinished without naming it, but the server has every other task of the document done (${siblings.join(', ')}: 200) — does the worker read another store?`
        : 'the worker says a dependency is unfinished without naming it, but the document has no other unfinished task',
    );
  }
  return parts.join('; ');
}

/** A dependency entry as the worker sent it, short. */
function preview(entry: unknown): string {
  const text = typeof entry === 'string' ? `"${entry}"` : JSON.stringify(entry);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * Auto-retry while the key's budget lasts, after the delay the worker asked for (`retry_after_ms`, see
 * requestedRetryDelay) or else the policy's back-off; then park in `state` with a message saying so.
 * The message names both counters, because they differ: the retry budget counts outcomes that used a
 * retry, the attempt counts every dispatch (also lease expiries of a task still queued and unconfirmed
 * publishes, which use none): "… — retry 2 of 5, attempt 3", "… — retries spent (5 of 5), attempt 13".
 */
function retryOrPark(task: DaneTask, state: number, msg: string, ctx: DecisionContext, requestedDelayMs?: number): ReplyDecision {
  const limit = retryLimit(ctx.policy, task.key);
  const used = task.retries ?? 0;
  if (used >= limit) {
    return { action: 'transition', effect: 'retries_spent', request: request(task, state, `${msg} — ${retriesSpentText(limit, task.attempt)}`, { notBefore: PARKED_UNTIL }) };
  }
  const next = used + 1;
  const delay = requestedDelayMs ?? retryDelay(next, ctx.policy.baseMs, ctx.policy.maxMs, ctx.random);
  return {
    action: 'transition',
    effect: 'retry_scheduled',
    request: request(task, state, `${msg} — retry ${next} of ${limit}, attempt ${task.attempt}`, { notBefore: new Date(ctx.now.getTime() + delay), retries: 'increment' }),
  };
}

/** "retries spent (5 of 5), attempt 13": the budget and the dispatch attempt it was spent on. */
function retriesSpentText(limit: number, attempt: number): string {
  return `retries spent (${limit} of ${limit}), attempt ${attempt}`;
}

/** Conditional on 102 at the attempt read: a concurrent expiry/re-dispatch makes the write a no-op. */
function request(task: DaneTask, to: number, msg: string, extra: Partial<TransitionRequest>): TransitionRequest {
  return { id: task._id, from: TRANSITIONS.complete.from, attempt: task.attempt, to, msg, ...extra };
}
