/**
 * The closed vocabularies and bounds of the model (docs/protocol.md, Document; docs/protocol.md, Task;
 * docs/protocol.md, Result), in a module of their own so that the request DTOs (../dto) and the model can
 * both use them without importing each other in a cycle.
 */
export const TARGET_TYPES = ['Dataset', 'Image', 'Video', 'Sound', 'Text'] as const;
export const CREATOR_TYPES = ['Organization', 'Human', 'Software'] as const;
export type TargetType = (typeof TARGET_TYPES)[number];
export type CreatorType = (typeof CREATOR_TYPES)[number];

export type JsonScalar = string | number | boolean;

export const MIN_PRIORITY = 0;
export const MAX_PRIORITY = 10;
export const DEFAULT_PRIORITY = 1;

/** Task keys: letters, digits, `_` and `-`, at most this long (they become routing-key words). */
export const MAX_TASK_KEY_LENGTH = 200;
export const TASK_KEY_PATTERN = /^[A-Za-z0-9_-]+$/;

/** Python `Task(...)` keywords (docs/protocol.md, Task); any other key of a task body becomes an argument. */
export const TASK_KEYWORDS: readonly string[] = ['key', 'priority', 'args', 'depends_on', 'state', 'msg', 'created_at', 'updated_at'];

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
