import { ConflictError } from './conflict-error';

/** 409: the document has a task with that key already; re-run it with retry/reset instead (§1.4). */
export class TaskAssignedError extends ConflictError {}
