import { DISPATCHABLE_STATES, TaskState } from '@dane/protocol';

/**
 * State codes rendered into SQL text, always from state/task-state.ts (no code is spelled in SQL).
 * Fixed sets are interpolated rather than bound so the planner can match the partial indexes.
 */
export function sqlCodes(codes: readonly number[]): string {
  if (codes.length === 0) throw new Error('An SQL state list must not be empty');
  for (const c of codes) if (!Number.isInteger(c)) throw new Error(`Not a state code: ${c}`);
  return codes.join(', ');
}

export const SQL_QUEUED = sqlCodes([TaskState.QUEUED]);
export const SQL_SUCCESS = sqlCodes([TaskState.SUCCESS]);
export const SQL_WAITING = sqlCodes([TaskState.UNFINISHED_DEPENDENCY]);
export const SQL_DISPATCHABLE = sqlCodes(DISPATCHABLE_STATES);
