import { createHash, randomBytes } from 'node:crypto';
import { pythonStr } from './python-str';

function sha1(text: string): string {
  return createHash('sha1').update(text, 'utf8').digest('hex');
}

/** Document `_id` = sha1(str(target.id) + str(creator.id)), no separator (docs/protocol.md, Document id). */
export function documentId(targetId: unknown, creatorId: unknown): string {
  return sha1(pythonStr(targetId) + pythonStr(creatorId));
}

/** Task `_id` = sha1(document_id + KEY), KEY upper-cased (docs/protocol.md, Task id). */
export function taskId(docId: string, key: string): string {
  return sha1(docId + key.toUpperCase());
}

/** Result ids look like Elasticsearch auto ids: 20 URL-safe base64 characters (docs/protocol.md, Result id). */
export function newResultId(): string {
  return randomBytes(15).toString('base64url');
}

export const ID_PATTERN = /^[0-9a-f]{40}$/;
