import { DaneError, TaskSpec, normaliseKey, parseTaskSpec } from '@dane/protocol';

export interface DependencySpecs {
  specs: TaskSpec[];
  /** Entries that cannot become a task, with the reason (logged; they are not waited for). */
  rejected: Array<{ entry: unknown; reason: string }>;
}

/**
 * The `dependencies` of a 412 reply as task specs (docs/protocol.md, Dependencies): a string is a task key, a
 * dict follows `Task.from_json` (`{"key": K}`, `{"task": {...}}` merged with its siblings, or the task's
 * fields). The waiting task's own key and repeats are dropped.
 */
export function dependencySpecs(entries: ReadonlyArray<string | Record<string, unknown>>, ownKey: string): DependencySpecs {
  const specs: TaskSpec[] = [];
  const rejected: DependencySpecs['rejected'] = [];
  const seen = new Set<string>([ownKey.toUpperCase()]);
  for (const entry of entries) {
    try {
      const spec = typeof entry === 'string' ? parseTaskSpec({ key: normaliseKey(entry, 'dependency') }) : parseTaskSpec(fromJsonShape(entry));
      if (seen.has(spec.key)) continue;
      seen.add(spec.key);
      specs.push(spec);
    } catch (e) {
      rejected.push({ entry, reason: e instanceof DaneError ? e.message : String(e) });
    }
  }
  return { specs, rejected };
}

/**
 * `Task.from_json` (docs/protocol.md, Task): `{task: {...}, ...rest}` → the task object with the top-level keys
 * winning. A worker's `_id` is dropped: the server derives ids itself (docs/protocol.md, Ids).
 */
function fromJsonShape(entry: Record<string, unknown>): Record<string, unknown> {
  const { task: inner, ...rest } = entry;
  const merged = typeof inner === 'object' && inner !== null && !Array.isArray(inner) ? { ...(inner as Record<string, unknown>), ...rest } : { ...entry };
  delete merged._id;
  return merged;
}

/** Union of key lists, first occurrence order kept. */
export function mergeKeys(...lists: ReadonlyArray<readonly string[]>): string[] {
  return [...new Set(lists.flat())];
}
