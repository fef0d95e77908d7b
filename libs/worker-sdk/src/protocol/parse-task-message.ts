import { CREATOR_TYPES, TARGET_TYPES, type DaneDocument } from '@dane/core/model';
import type { WorkerOutcome, WorkerTask } from '../worker-task';
import { Outcomes } from './outcomes';

export type ParsedTaskMessage = { ok: true; task: WorkerTask; document: DaneDocument } | { ok: false; reply: WorkerOutcome };

const DOCUMENT_KEYS = ['target', 'creator', '_id', 'created_at', 'updated_at'];
const TASK_FIELDS = ['key', '_id', 'state', 'msg', 'priority', 'created_at', 'updated_at'];

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Reads a task message body `{task, document}` (§3.2) with the Python worker's strictness (§3.4,
 * Appendix C): not JSON or no task/document → 500; a document with any key beyond target, creator,
 * _id, created_at, updated_at, or without target/creator → 400; a target/creator missing a required
 * key or with an invalid type → 500 "Unhandled error"; extra task keys become args (§1.2).
 */
export function parseTaskMessage(content: Buffer | string, fallbackTaskId?: string, attempt?: number): ParsedTaskMessage {
  let body: unknown;
  try {
    body = JSON.parse(typeof content === 'string' ? content : content.toString('utf8'));
  } catch {
    return { ok: false, reply: Outcomes.incompleteSpecification() };
  }
  if (!isObject(body) || !('task' in body) || !('document' in body)) return { ok: false, reply: Outcomes.incompleteSpecification() };
  const { task, document } = body;
  if (!isObject(task) || typeof task.key !== 'string' || task.key === '') return { ok: false, reply: Outcomes.invalidFormat() };
  const problem = checkDocument(document);
  if (problem) return { ok: false, reply: problem };
  return {
    ok: true,
    document: document as DaneDocument,
    task: {
      _id: String(task._id ?? fallbackTaskId ?? ''),
      key: task.key.toUpperCase(),
      state: typeof task.state === 'number' ? task.state : undefined,
      msg: typeof task.msg === 'string' ? task.msg : undefined,
      priority: typeof task.priority === 'number' ? task.priority : 1,
      args: argsOf(task),
      created_at: typeof task.created_at === 'string' ? task.created_at : undefined,
      updated_at: typeof task.updated_at === 'string' ? task.updated_at : undefined,
      attempt,
    },
  };
}

/** The document rules of the Python constructor: the reply it leads to, or undefined when it is fine. */
export function checkDocument(document: unknown): WorkerOutcome | undefined {
  if (!isObject(document)) return Outcomes.invalidFormat();
  if (Object.keys(document).some((k) => !DOCUMENT_KEYS.includes(k))) return Outcomes.invalidFormat();
  if (!isObject(document.target) || !isObject(document.creator)) return Outcomes.invalidFormat();
  const problem = targetProblem(document.target) ?? creatorProblem(document.creator);
  return problem ? Outcomes.unhandledError(problem) : undefined;
}

/** Python KeyError texts are the quoted key (`'url'`). */
function targetProblem(target: Record<string, unknown>): string | undefined {
  for (const k of ['id', 'url', 'type']) if (!(k in target)) return `'${k}'`;
  if (!(TARGET_TYPES as readonly unknown[]).includes(target.type)) {
    return `Invalid target type ${JSON.stringify(target.type)}, valid types are: ${TARGET_TYPES.join(', ')}`;
  }
  return undefined;
}

function creatorProblem(creator: Record<string, unknown>): string | undefined {
  for (const k of ['id', 'type']) if (!(k in creator)) return `'${k}'`;
  if (!(CREATOR_TYPES as readonly unknown[]).includes(creator.type)) {
    return `Invalid creator type ${JSON.stringify(creator.type)}, valid types are: ${CREATOR_TYPES.join(', ')}`;
  }
  return undefined;
}

/** `args` as Task() builds it: the `args` value when it is the only unknown key, else all unknown keys together. */
function argsOf(task: Record<string, unknown>): Record<string, unknown> {
  const unknown = Object.keys(task).filter((k) => !TASK_FIELDS.includes(k));
  if (unknown.length === 0) return {};
  if (unknown.length === 1 && unknown[0] === 'args') return isObject(task.args) ? task.args : {};
  return Object.fromEntries(unknown.map((k) => [k, task[k]]));
}
