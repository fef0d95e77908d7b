import { ConflictError } from './conflict-error';

/** 409: a document with the same target.id and creator.id is registered already (§1.4). */
export class DocumentExistsError extends ConflictError {}
