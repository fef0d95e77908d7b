import { definedEntries } from '../dto/validation';
import { validateDocument } from '../dto/document.dto';
import { documentId } from './ids';
import { pythonStr } from './python-str';
import { normaliseUrl } from './requote-uri';
import { formatTimestamp } from './timestamp';
import type { CreatorType, TargetType } from './vocabulary';

export { CREATOR_TYPES, TARGET_TYPES } from './vocabulary';
export type { CreatorType, JsonScalar, TargetType } from './vocabulary';

/**
 * The media item of a stored document, as the server, workers and clients see it. `id` is always a
 * string: a client may send a number or boolean (TargetDto takes any JSON scalar, as Python DANE
 * did), and the server stores its Python `str()` — the text the document `_id` is hashed from
 * (docs/protocol.md, Document id), so `12345` and `"12345"` were already the same document.
 */
export interface Target {
  id: string;
  url: string;
  type: TargetType;
  [extra: string]: unknown;
}

/** Who registered a stored document; `id` is a string for the same reason as `Target.id`. */
export interface Creator {
  id: string;
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
 * any other top-level key refused); then `_id` = sha1(str(target.id) + str(creator.id)), the ids stored as
 * that `str()` (a number or boolean id becomes its text: `12345` → "12345", `true` → "True"), the url
 * requoted, the timestamps set.
 */
export function createDocument(input: unknown, now: Date = new Date()): DaneDocument {
  const { target, creator } = validateDocument(input);
  const ts = formatTimestamp(now);
  return {
    _id: documentId(target.id, creator.id),
    target: { ...plain(target), id: pythonStr(target.id), url: normaliseUrl(target.url), type: target.type },
    creator: { ...plain(creator), id: pythonStr(creator.id), type: creator.type },
    created_at: ts,
    updated_at: ts,
  };
}

/**
 * A document read from the wire or a store with its ids as strings (`Target.id`, `Creator.id`): a
 * number or boolean id becomes its Python `str()`. This server registers string ids only, but a
 * document registered before it did, or by a Python DANE server sharing the index (whose clients
 * could send `12345`), still carries the JSON scalar; every decoder of documents (task frames,
 * store reads, the SDKs' REST reads) passes it through here. Anything else is left as it is for
 * the caller's own checks. Returns the same object when there is nothing to convert.
 */
export function withStringIds<D extends { target: unknown; creator: unknown }>(doc: D): D {
  const target = stringIdOf(doc.target);
  const creator = stringIdOf(doc.creator);
  return target === doc.target && creator === doc.creator ? doc : { ...doc, target, creator };
}

function stringIdOf<T>(part: T): T {
  if (typeof part !== 'object' || part === null) return part;
  const id = (part as { id?: unknown }).id;
  return typeof id === 'number' || typeof id === 'boolean' ? { ...part, id: pythonStr(id) } : part;
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
