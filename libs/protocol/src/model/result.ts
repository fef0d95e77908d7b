import { validateResult } from '../dto/result.dto';
import { definedEntries } from '../dto/validation';
import type { CreatorType } from './vocabulary';
import { newResultId } from './ids';
import { formatTimestamp } from './timestamp';

export interface Generator {
  id: string;
  name: string;
  type: CreatorType;
  homepage: string | null;
  [extra: string]: unknown;
}

export interface DaneResult {
  _id: string;
  task_id: string;
  document_id: string;
  task_key: string;
  generator: Generator;
  payload: Record<string, unknown>;
  created_at: string;
  updated_at: string;
}

/**
 * Result rules (docs/protocol.md, Result) on input checked against ResultCreateDto (also
 * `{"result": {...}}`-wrapped): generator {id (as text), name (upper-cased), type, homepage (null when
 * absent)}, payload a dict.
 */
export function parseResultInput(input: unknown): { generator: Generator; payload: Record<string, unknown> } {
  const { generator: g, payload } = validateResult(input);
  return {
    generator: { ...Object.fromEntries(definedEntries(g)), id: String(g.id), name: g.name.toUpperCase(), type: g.type, homepage: g.homepage ?? null },
    payload,
  };
}

export function createResult(
  task: { _id: string; document_id: string; key: string },
  input: { generator: Generator; payload: Record<string, unknown> },
  now: Date = new Date(),
): DaneResult {
  const ts = formatTimestamp(now);
  return {
    _id: newResultId(),
    task_id: task._id,
    document_id: task.document_id,
    task_key: task.key,
    generator: input.generator,
    payload: input.payload,
    created_at: ts,
    updated_at: ts,
  };
}

/** REST view (model `Result`; docs/protocol.md, Result). We do know the timestamps, so we send them. */
export function resultView(r: DaneResult): Record<string, unknown> {
  return {
    _id: r._id,
    generator: {
      id: r.generator.id,
      name: r.generator.name,
      homepage: r.generator.homepage ?? null,
      type: r.generator.type,
      // The worker's version (our worker SDK records it; campaigns select by it): only when the result has one.
      ...(typeof r.generator.version === 'string' ? { version: r.generator.version } : {}),
    },
    payload: r.payload,
    created_at: r.created_at,
    updated_at: r.updated_at,
    task_id: r.task_id,
    document_id: r.document_id,
    task_key: r.task_key,
  };
}
