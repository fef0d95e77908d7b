import { DaneTask, TRANSITIONS, TaskState, stateInfo } from '@dane/protocol';
import { TransitionRequest } from '../storage/store.port';

/** No queue is bound for the routing key (docs/protocol.md, Publishing outcomes): 422 "Unroutable task", waits for a person. */
export function unroutableRequest(task: Pick<DaneTask, '_id' | 'attempt'>): TransitionRequest {
  const to = TaskState.NO_ROUTE_TO_QUEUE;
  return { id: task._id, from: TRANSITIONS.unclaim.from, attempt: task.attempt, to, msg: stateInfo(to)!.defaultMessage, notBefore: null };
}

/**
 * Unroutable while workers may still be re-binding their queues (just after the broker connection
 * opened): back to runnable after a pause instead of 422, which would wait for a person.
 */
export function unroutableGraceRequest(task: Pick<DaneTask, '_id' | 'attempt'>, now: Date, delayMs: number): TransitionRequest {
  return {
    id: task._id,
    from: TRANSITIONS.unclaim.from,
    attempt: task.attempt,
    to: TaskState.CREATED,
    msg: 'Unroutable just after the broker connection opened (workers may still be binding their queues); dispatching again',
    notBefore: new Date(now.getTime() + delayMs),
  };
}

/**
 * The broker did not take the message (nack, channel or connection lost): back to runnable after
 * a short pause, so a broker outage does not turn into a claim/publish loop.
 */
export function publishFailedRequest(task: Pick<DaneTask, '_id' | 'attempt'>, reason: string, now: Date, delayMs: number): TransitionRequest {
  return {
    id: task._id,
    from: TRANSITIONS.unclaim.from,
    attempt: task.attempt,
    to: TaskState.CREATED,
    msg: `Publish failed (${reason}); dispatching again`,
    notBefore: new Date(now.getTime() + delayMs),
  };
}
