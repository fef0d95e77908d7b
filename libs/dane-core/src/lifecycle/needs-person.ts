import { DISPATCHABLE_STATES, MANUAL_STATES, TaskState } from '@dane/protocol';
import { PARKED_UNTIL } from './retry-policy';

/**
 * The one definition of "needs a person": a task that no automatic path will move again.
 *
 * 1. **manual** — in a state of class `needs_person` (400, 403, 404, 422, 500): only retry, forceretry,
 *    reset or a mass reset move it;
 * 2. **retries spent** — in a dispatchable state (201/205, 502/503) parked with `not_before` at
 *    PARKED_UNTIL: the dispatcher never reaches it (outcome.ts, retryOrPark);
 * 3. **blocked** — in 412 waiting for a key whose task on the same document needs a person (1, 2 or,
 *    transitively, 3) or was cancelled (499: it needs no person itself, but its dependants do — retry the
 *    dependency or cancel them too), or for a key that no task of the document has (nothing assigned it):
 *    the release waits for a 200 that nothing will bring.
 *
 * The stores render this as a query condition (SQL: sql-task.repository.ts `needsPersonCondition`,
 * a recursive CTE over these constants; Elasticsearch: es-task.repository.ts, which applies
 * `blockedTaskIds` below to the 412 tasks' documents), and everything that reports it — the API filter
 * `needs_person=true`, the dashboard's "Needs attention", `dane watch --until-done`, the metric
 * `dane_tasks_needing_person` — asks the store through TaskFilter.needsPerson / countNeedingPerson.
 */
export const NEEDS_PERSON = {
  /** Case 1. */
  manualStates: MANUAL_STATES,
  /** Case 2: these states with `not_before >= parkedFrom`. */
  parkedStates: DISPATCHABLE_STATES,
  parkedFrom: PARKED_UNTIL,
  /** Case 3. */
  blockedState: TaskState.UNFINISHED_DEPENDENCY as number,
  /** Case 3: a dependency in this state blocks its 412 dependants (it needs no person itself). */
  cancelledState: TaskState.CANCELLED as number,
} as const;

/** Why a task needs a person (see NEEDS_PERSON). */
export type NeedsPersonReason = 'manual' | 'retries_spent' | 'blocked';

/** Cases 1 and 2, from the task's own state and `not_before` (null/undefined when not set). */
export function waitsForPersonItself(state: number, notBefore: Date | number | null | undefined): NeedsPersonReason | null {
  if (NEEDS_PERSON.manualStates.includes(state)) return 'manual';
  if (NEEDS_PERSON.parkedStates.includes(state) && notBefore !== null && notBefore !== undefined) {
    const at = notBefore instanceof Date ? notBefore.getTime() : notBefore;
    if (at >= NEEDS_PERSON.parkedFrom.getTime()) return 'retries_spent';
  }
  return null;
}

/** One task of a document as the definition needs it. */
export interface NeedsPersonTask {
  id: string;
  documentId: string;
  key: string;
  state: number;
  notBefore: Date | number | null | undefined;
  dependsOn: readonly string[];
}

/**
 * Case 3 over the given tasks (all tasks of their documents): ids of the 412 tasks that wait, directly
 * or through other 412 tasks, for a task that needs a person itself or was cancelled, or for a key the
 * document has no task of. A fixpoint per document, so a chain A → B → C with C in 500 blocks both B and A.
 */
export function blockedTaskIds(tasks: readonly NeedsPersonTask[]): Set<string> {
  const byDocument = new Map<string, NeedsPersonTask[]>();
  for (const t of tasks) {
    const list = byDocument.get(t.documentId);
    if (list) list.push(t);
    else byDocument.set(t.documentId, [t]);
  }
  const blocked = new Set<string>();
  for (const siblings of byDocument.values()) {
    const keys = new Set(siblings.map((t) => t.key));
    const stuckKeys = new Set(siblings.filter((t) => t.state === NEEDS_PERSON.cancelledState || waitsForPersonItself(t.state, t.notBefore) !== null).map((t) => t.key));
    const waiting = siblings.filter((t) => t.state === NEEDS_PERSON.blockedState);
    for (let changed = true; changed;) {
      changed = false;
      for (const t of waiting) {
        if (blocked.has(t.id) || !t.dependsOn.some((k) => stuckKeys.has(k) || !keys.has(k))) continue;
        blocked.add(t.id);
        stuckKeys.add(t.key);
        changed = true;
      }
    }
  }
  return blocked;
}

/** Counts of tasks needing a person, per key. */
export interface NeedsPersonCount {
  key: string;
  count: number;
}
