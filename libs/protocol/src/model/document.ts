import { definedEntries } from '../dto/validation';
import { validateDocument } from '../dto/document.dto';
import { documentId } from './ids';
import { normaliseUrl } from './requote-uri';
import { formatTimestamp } from './timestamp';
import type { CreatorType, JsonScalar, TargetType } from './vocabulary';

export { CREATOR_TYPES, TARGET_TYPES } from './vocabulary';
export type { CreatorType, JsonScalar, TargetType } from './vocabulary';

export interface Target {
  id: JsonScalar;
  url: string;
  type: TargetType;
  [extra: string]: unknown;
}

export interface Creator {
  id: JsonScalar;
  type: CreatorType;
  [extra: string]: unknown;
}

export interface DaneDocument {
  _id: string;
  target: Target;
  creator: Creator;
  created_at: string;
  updated_at: string;
}

/**
 * Builds a document from client input with the original's rules (docs/protocol.md, Document): the input is
 * checked against DocumentCreateDto (target {id,url,type}, creator {id,type}, extra target/creator keys kept,
 * any other top-level key refused); then `_id` = sha1(str(target.id) + str(creator.id)), the url requoted,
 * the timestamps set.
 */
export function createDocument(input: unknown, now: Date = new Date()): DaneDocument {
  const { target, creator } = validateDocument(input);
  const ts = formatTimestamp(now);
  return {
    _id: documentId(target.id, creator.id),
    target: { ...plain(target), id: target.id, url: normaliseUrl(target.url), type: target.type },
    creator: { ...plain(creator), id: creator.id, type: creator.type },
    created_at: ts,
    updated_at: ts,
  };
}

/** The fields of a DTO instance that hold a value, as a plain object. */
function plain(dto: object): Record<string, unknown> {
  return Object.fromEntries(definedEntries(dto));
}

/** Python `Document.to_json()` (AMQP bodies): key order target, creator, created_at, updated_at, _id. */
export function documentToJson(doc: DaneDocument): Record<string, unknown> {
  return { target: doc.target, creator: doc.creator, created_at: doc.created_at ?? null, updated_at: doc.updated_at ?? null, _id: doc._id };
}

/** REST view (flask-restx model `Document`; docs/protocol.md, Document): extra target/creator keys dropped, nulls rendered. */
export function documentView(doc: DaneDocument): Record<string, unknown> {
  return {
    _id: doc._id,
    target: { id: doc.target.id ?? null, url: doc.target.url ?? null, type: doc.target.type ?? null },
    creator: { id: doc.creator.id ?? null, type: doc.creator.type ?? null },
    created_at: doc.created_at ?? null,
    updated_at: doc.updated_at ?? null,
  };
}
