import { ValidationError } from '../errors';
import { CREATOR_TYPES, CreatorType } from './document';
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

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Result rules (§1.3): generator {id, name (upper-cased), type, homepage}, payload a dict. */
export function parseResultInput(input: unknown): { generator: Generator; payload: Record<string, unknown> } {
  if (!isPlainObject(input)) throw new ValidationError('Invalid result format: a result must be a JSON object');
  const body = isPlainObject(input.result) && Object.keys(input).length === 1 ? input.result : input;
  for (const k of Object.keys(body)) {
    if (!['generator', 'payload', 'task_id'].includes(k)) throw new ValidationError(`Invalid result format: unexpected field \`${k}\``);
  }
  const g = body.generator;
  if (!isPlainObject(g)) throw new ValidationError('generator is required and must be an object');
  if (g.id === undefined || g.id === null || g.id === '') throw new ValidationError('generator.id is required');
  if (typeof g.id !== 'string' && typeof g.id !== 'number') throw new ValidationError('generator.id must be a string');
  if (typeof g.name !== 'string' || g.name.trim() === '') throw new ValidationError('generator.name is required and must be a non-empty string');
  if (!CREATOR_TYPES.includes(g.type as CreatorType)) {
    throw new ValidationError(`generator.type must be one of ${CREATOR_TYPES.join(', ')} (got ${JSON.stringify(g.type ?? null)})`);
  }
  if (g.homepage !== undefined && g.homepage !== null && typeof g.homepage !== 'string') throw new ValidationError('generator.homepage must be a string');
  if (!isPlainObject(body.payload)) throw new ValidationError('payload is required and must be a JSON object');
  return {
    generator: { ...g, id: String(g.id), name: g.name.toUpperCase(), type: g.type as CreatorType, homepage: (g.homepage as string | undefined) ?? null },
    payload: body.payload,
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

/** REST view (model `Result`, §1.3). We do know the timestamps, so we send them. */
export function resultView(r: DaneResult): Record<string, unknown> {
  return {
    _id: r._id,
    generator: { id: r.generator.id, name: r.generator.name, homepage: r.generator.homepage ?? null, type: r.generator.type },
    payload: r.payload,
    created_at: r.created_at,
    updated_at: r.updated_at,
    task_id: r.task_id,
    document_id: r.document_id,
    task_key: r.task_key,
  };
}
