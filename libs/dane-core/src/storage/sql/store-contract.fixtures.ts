import { DaneDocument, JsonScalar, createDocument, createResult, DaneTask, createTask } from '@dane/protocol';
import { DaneStore } from '../store.port';

/** Builders for the store contract: real model objects, made the way the API makes them. */
export const OLD_TIMESTAMP = '2000-01-01T00:00:00';

let counter = 0;
/** A target id no other test uses, so tests sharing one store never see each other's rows. */
export function uniqueId(prefix = 'ITM'): string {
  counter += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter}`;
}

export function makeDocument(targetId: JsonScalar = uniqueId(), creatorId: JsonScalar = 'NISV', extra: Record<string, unknown> = {}): DaneDocument {
  return createDocument({
    target: { id: targetId, url: 'http://example.com/a b.mp4', type: 'Video', ...extra },
    creator: { id: creatorId, type: 'Organization' },
  });
}

export function makeTask(
  doc: DaneDocument,
  key: string,
  opts: { priority?: number; state?: number; msg?: string; dependsOn?: string[]; args?: Record<string, unknown>; old?: boolean } = {},
): DaneTask {
  const task = createTask(doc._id, { key, priority: opts.priority ?? 1, args: opts.args ?? {}, depends_on: opts.dependsOn ?? [] });
  if (opts.state !== undefined) task.state = opts.state;
  if (opts.msg !== undefined) task.msg = opts.msg;
  if (opts.old) task.created_at = task.updated_at = OLD_TIMESTAMP;
  return task;
}

export function makeResult(task: DaneTask, name = 'ASR', generatorId = 'abc123', payload: Record<string, unknown> = { text: 'hello' }) {
  return createResult(
    { _id: task._id, document_id: task.document_id, key: task.key },
    { generator: { id: generatorId, name, type: 'Software', homepage: 'https://example.com' }, payload },
  );
}

/** Stores a document with the given tasks. */
export async function seed(store: DaneStore, keys: string[] = [], doc: DaneDocument = makeDocument()): Promise<{ doc: DaneDocument; tasks: DaneTask[] }> {
  await store.documents.insert(doc);
  const tasks = keys.map((k) => makeTask(doc, k));
  for (const t of tasks) await store.tasks.insert(t);
  return { doc, tasks };
}

/** Deletes every document (and so every task and result) through the port itself. */
export async function wipe(store: DaneStore): Promise<void> {
  for (;;) {
    const page = await store.documents.search({}, { page: 1, size: 1000 });
    if (page.items.length === 0) return;
    await store.documents.deleteMany(page.items.map((d) => d._id));
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
