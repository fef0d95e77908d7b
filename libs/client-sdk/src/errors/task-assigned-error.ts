import { ConflictError } from './conflict-error';

/** 409: the document has a task with that key already; re-run it with retry/reset instead (docs/protocol.md, Ids). */
export class TaskAssignedError extends ConflictError {}
