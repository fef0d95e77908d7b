import { ConflictError } from './conflict-error';

/** 409: the task's state does not allow the action (a plain retry of a task in 102 or 200, docs/protocol.md, Manual interventions). */
export class TaskStateError extends ConflictError {}
