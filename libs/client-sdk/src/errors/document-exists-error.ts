import { ConflictError } from './conflict-error';

/** 409: a document with the same target.id and creator.id is registered already (docs/protocol.md, Ids). */
export class DocumentExistsError extends ConflictError {}
