import type { DocumentInput } from '@dane/client';
import { CREATOR_TYPES, TARGET_TYPES } from '@dane/protocol';

/** One document to submit, with where it came from so that a failure can name its line. */
export interface SubmitItem {
  input: DocumentInput;
  /** `docs.csv line 4`, `list.json item 2`, `media/a.mp4`. */
  source: string;
}

export interface DocumentDefaults {
  creator: { id: string; type: string };
  /** --type: the target type for every document (a folder: instead of the extension). */
  type?: string;
}

export interface ReadOutcome {
  items: SubmitItem[];
  /** Files of a folder that were left out, and why. */
  skipped: string[];
}

/** The target types, or the problem with a value (the caller names the line). */
export function targetTypeProblem(value: unknown): string | undefined {
  if (typeof value === 'string' && (TARGET_TYPES as readonly string[]).includes(value)) return undefined;
  return `type must be one of ${TARGET_TYPES.join(', ')} (got ${JSON.stringify(value ?? '')})`;
}

export function creatorTypeProblem(value: unknown): string | undefined {
  if (typeof value === 'string' && (CREATOR_TYPES as readonly string[]).includes(value)) return undefined;
  return `creator type must be one of ${CREATOR_TYPES.join(', ')} (got ${JSON.stringify(value ?? '')})`;
}
