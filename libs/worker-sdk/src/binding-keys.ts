import { TARGET_TYPES } from '@dane/protocol';
import { InvalidBindingKeyError } from './errors/invalid-binding-key-error';

const FIRST_SEGMENTS: readonly string[] = [...TARGET_TYPES, '*', '#'];

/**
 * Binding keys as the Python base_worker checks them (docs/protocol.md, Binding keys): a string or a list,
 * and the first dot-segment of each must be a target type, `*` or `#` — case-sensitive, so `video.ASR` is an
 * error.
 */
export function validateBindingKeys(bindingKey: string | string[]): string[] {
  const keys = Array.isArray(bindingKey) ? bindingKey : [bindingKey];
  if (keys.length === 0) throw new InvalidBindingKeyError('A worker needs at least one binding key, e.g. "#.ASR"');
  for (const key of keys) {
    if (typeof key !== 'string' || key.trim() === '') throw new InvalidBindingKeyError(`Invalid binding key ${JSON.stringify(key)}: must be a non-empty string`);
    const first = key.split('.')[0];
    if (!FIRST_SEGMENTS.includes(first)) {
      throw new InvalidBindingKeyError(
        `Invalid binding key "${key}": the first segment must be one of ${FIRST_SEGMENTS.join(', ')} (case-sensitive), e.g. "#.${key.split('.').pop()}"`,
      );
    }
  }
  return keys;
}

/** The task key a worker serves: the last segment of its first concrete binding key (`#.ASR` → `ASR`). */
export function taskKeyOf(bindingKeys: string[], queue: string): string {
  for (const key of bindingKeys) {
    const last = key.split('.').pop()!;
    if (last !== '*' && last !== '#' && key.includes('.')) return last.toUpperCase();
  }
  return queue.toUpperCase();
}
