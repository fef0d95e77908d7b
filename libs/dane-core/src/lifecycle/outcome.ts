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
import { dependencySpecs, mergeKeys } from './dependencies';
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
}

/**
 * Decides the state write for one reply to a task in flight (architecture principles 3–5). Pure:
 * the caller reads the task, applies the request as one conditional transition from 102 at the
 * attempt read, and carries out the effect.
 */
export function decideReply(task: DaneTask, incoming: IncomingReply, ctx: DecisionContext): ReplyDecision {
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

function waitForDependencies(task: DaneTask, reply: WorkerReply, ctx: DecisionContext): ReplyDecision {
  const { specs, rejected } = dependencySpecs(reply.dependencies ?? [], task.key);
  const named = specs.map((s) => s.key);
  const waitFor = mergeKeys(task.depends_on, named.length > 0 ? named : (ctx.unfinishedSiblings ?? [])).filter((k) => k !== task.key);
  // Nothing known to wait for (the dependency finished meanwhile, or the worker named only invalid
  // keys): run it again after a back-off rather than hold it in 412 with nothing to release it.
  if (waitFor.length === 0) return retryOrPark(task, TaskState.CREATED, `${reply.message} (no unfinished dependency found)`, ctx);
  return {
    action: 'transition',
    effect: 'waiting_for_dependencies',
    request: request(task, TRANSITIONS.wait.to, reply.message, { dependsOn: waitFor, notBefore: null }),
    assign: specs,
    rejected,
  };
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
