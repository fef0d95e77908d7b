import { NEEDS_PERSON } from '../../lifecycle/needs-person';
import { TaskFilter } from '../store.port';
import { Query } from './es-index';

/**
 * Query clauses in the shapes Python readers search with (docs/protocol.md, What Python readers search).
 * Kinds are told apart by field existence (docs/protocol.md, Join field and routing): documents have
 * `target.id`, tasks `task.key`, results `result.generator.id`. A task's document is its routing (Q3 matches
 * `_routing`), a result's task its join parent.
 */
export const IS_TASK: Query = { exists: { field: 'task.key' } };
export const IS_RESULT: Query = { exists: { field: 'result.generator.id' } };

/** Tasks of one document, as Q3 finds them. */
export function routedTo(documentId: string): Query {
  return { match: { _routing: documentId } };
}

export function routedToAny(documentIds: string[]): Query {
  return { terms: { _routing: documentIds } };
}

export function taskKey(key: string): Query {
  return { match: { 'task.key': key } };
}

export function taskStates(states: readonly number[]): Query {
  return { terms: { 'task.state': [...states] } };
}

/** Tasks whose document has this creator (Q8's has_parent on the document). */
export function createdBy(creatorId: string): Query {
  return { has_parent: { parent_type: 'document', query: { term: { 'creator.id': creatorId } } } };
}

export function bool(must: Query[], mustNot: Query[] = []): Query {
  const clauses: Record<string, Query[]> = { must };
  if (mustNot.length > 0) clauses.must_not = mustNot;
  return { bool: clauses };
}

/** Cases 1 and 2 of lifecycle/needs-person.ts: a manual state, or parked with its retries spent. */
function needsPersonItself(): Query {
  const parked = bool([taskStates(NEEDS_PERSON.parkedStates), { range: { 'dane_node.not_before': { gte: NEEDS_PERSON.parkedFrom.getTime() } } }]);
  return { bool: { should: [taskStates(NEEDS_PERSON.manualStates), parked], minimum_should_match: 1 } };
}

/** All of lifecycle/needs-person.ts: cases 1 and 2, or one of the `blocked` 412 tasks (case 3, found by the caller). */
export function needsPersonQuery(blocked: readonly string[]): Query {
  if (blocked.length === 0) return needsPersonItself();
  return { bool: { should: [needsPersonItself(), { ids: { values: [...blocked] } }], minimum_should_match: 1 } };
}

/**
 * GET /DANE/task/-style filters; Q3 (document + key) and Q9 (key, not in states) are special cases.
 * `filter.needsPerson` needs the clause `needsPerson` (needsPersonQuery, which takes a read to build).
 */
export function taskFilterQuery(filter: TaskFilter, needsPerson?: Query): Query {
  const must: Query[] = [];
  if (filter.documentId !== undefined) must.push(routedTo(filter.documentId));
  must.push(IS_TASK);
  if (filter.key !== undefined) must.push(taskKey(filter.key));
  if (filter.states !== undefined) must.push(taskStates(filter.states));
  if (filter.creatorId !== undefined) must.push(createdBy(filter.creatorId));
  const mustNot = filter.notStates?.length ? [taskStates(filter.notStates)] : [];
  if (filter.needsPerson !== undefined) {
    if (!needsPerson) throw new Error('taskFilterQuery: needsPerson filter without its clause');
    (filter.needsPerson ? must : mustNot).push(needsPerson);
  }
  return bool(must, mustNot);
}

/** Q5: case-sensitive keyword wildcards on target.id and creator.id, `*` by default. */
export function documentSearchQuery(targetId?: string, creatorId?: string): Query {
  return bool([{ wildcard: { 'target.id': targetId || '*' } }, { wildcard: { 'creator.id': creatorId || '*' } }]);
}

/**
 * The tasks of these documents and the results of those tasks, in one query, so one
 * `_delete_by_query` pass removes both from the same snapshot (docs/protocol.md, Writes).
 */
export function childrenOfDocuments(documentIds: string[]): Query {
  const tasks = documentIds.length === 1 ? routedTo(documentIds[0]) : routedToAny(documentIds);
  return {
    bool: {
      should: [bool([tasks, IS_TASK]), { has_parent: { parent_type: 'task', query: tasks } }],
      minimum_should_match: 1,
    },
  };
}

/** Results of one task (Q8's `parent_id`); works after the task itself is gone. */
export function resultsOfTask(taskId: string): Query {
  return { parent_id: { type: 'result', id: taskId } };
}
