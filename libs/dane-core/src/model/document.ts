import { ValidationError } from '../errors';
import { documentId } from './ids';
import { normaliseUrl } from './requote-uri';
import { formatTimestamp } from './timestamp';

export const TARGET_TYPES = ['Dataset', 'Image', 'Video', 'Sound', 'Text'] as const;
export const CREATOR_TYPES = ['Organization', 'Human', 'Software'] as const;
export type TargetType = (typeof TARGET_TYPES)[number];
export type CreatorType = (typeof CREATOR_TYPES)[number];

export type JsonScalar = string | number | boolean;

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

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkScalarId(v: unknown, field: string): JsonScalar {
  if (v === undefined || v === null) throw new ValidationError(`${field} is required`);
  if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
    throw new ValidationError(`${field} must be a string or number`);
  }
  if (typeof v === 'string' && v.length === 0) throw new ValidationError(`${field} must not be empty`);
  return v;
}

/**
 * Builds a document from client input with the original's rules (§1.1): target {id,url,type},
 * creator {id,type}, extra target/creator keys kept, any other top-level key rejected, `_id` assigned
 * by the server.
 */
export function createDocument(input: unknown, now: Date = new Date()): DaneDocument {
  if (!isPlainObject(input)) throw new ValidationError('Invalid document format: a document must be a JSON object');
  for (const k of Object.keys(input)) {
    if (k === '_id') throw new ValidationError('Invalid document format: `_id` is assigned by the server and must not be sent');
    if (!['target', 'creator', 'created_at', 'updated_at'].includes(k)) {
      throw new ValidationError(`Invalid document format: unexpected field \`${k}\``);
    }
  }
  const { target, creator } = input;
  if (!isPlainObject(target)) throw new ValidationError('target is required and must be an object');
  if (!isPlainObject(creator)) throw new ValidationError('creator is required and must be an object');
  const tid = checkScalarId(target.id, 'target.id');
  if (target.url === undefined || target.url === null || target.url === '') throw new ValidationError('target.url is required');
  if (typeof target.url !== 'string') throw new ValidationError('target.url must be a string');
  if (!TARGET_TYPES.includes(target.type as TargetType)) {
    throw new ValidationError(`target.type must be one of ${TARGET_TYPES.join(', ')} (got ${JSON.stringify(target.type ?? null)})`);
  }
  const cid = checkScalarId(creator.id, 'creator.id');
  if (!CREATOR_TYPES.includes(creator.type as CreatorType)) {
    throw new ValidationError(`creator.type must be one of ${CREATOR_TYPES.join(', ')} (got ${JSON.stringify(creator.type ?? null)})`);
  }
  const ts = formatTimestamp(now);
  return {
    _id: documentId(tid, cid),
    target: { ...target, id: tid, url: normaliseUrl(target.url), type: target.type as TargetType },
    creator: { ...creator, id: cid, type: creator.type as CreatorType },
    created_at: ts,
    updated_at: ts,
  };
}

/** Python `Document.to_json()` (AMQP bodies): key order target, creator, created_at, updated_at, _id. */
export function documentToJson(doc: DaneDocument): Record<string, unknown> {
  return { target: doc.target, creator: doc.creator, created_at: doc.created_at ?? null, updated_at: doc.updated_at ?? null, _id: doc._id };
}

/** REST view (flask-restx model `Document`, §1.1): extra target/creator keys dropped, nulls rendered. */
export function documentView(doc: DaneDocument): Record<string, unknown> {
  return {
    _id: doc._id,
    target: { id: doc.target.id ?? null, url: doc.target.url ?? null, type: doc.target.type ?? null },
    creator: { id: doc.creator.id ?? null, type: doc.creator.type ?? null },
    created_at: doc.created_at ?? null,
    updated_at: doc.updated_at ?? null,
  };
}
