import { NotFoundError, TaskAssignedError, TaskState, ValidationError, type DaneTask } from '@dane/protocol';
import { createSqlStore } from '../storage/sql';
import { makeDocument, makeTask } from '../storage/sql/store-contract.fixtures';
import type { DaneStore } from '../storage/store.port';
import { TaskAssignmentService } from './task-assignment.service';

/** `POST /DANE/task/` below the HTTP layer, against a real store (PGlite). */
describe('TaskAssignmentService', () => {
  let store: DaneStore;
  let service: TaskAssignmentService;

  beforeAll(async () => {
    store = await createSqlStore({ kind: 'pglite' });
    service = new TaskAssignmentService(store);
  });
  afterAll(() => store.close());

  async function newDocument(...tasks: Array<[string, number]>): Promise<string> {
    const doc = makeDocument();
    await store.documents.insert(doc);
    for (const [key, state] of tasks) await store.tasks.insert(makeTask(doc, key, { state }));
    return doc._id;
  }
  const one = async (body: Record<string, unknown>): Promise<DaneTask> => {
    const out = await service.assign(body);
    if (out.many) throw new Error('expected one task');
    return out.task;
  };

  it('stores a task of one document in 201, as the store reads it back', async () => {
    const id = await newDocument();
    const task = await one({ document_id: id, key: 'ASR', priority: 3, args: { lang: 'nl' } });
    expect(task).toMatchObject({ document_id: id, key: 'ASR', state: TaskState.CREATED, priority: 3, args: { lang: 'nl' } });
    expect(await store.tasks.findById(task._id)).toMatchObject({ state: TaskState.CREATED, key: 'ASR' });
  });

  it('stores it in 412 naming the dependencies that are not 200 yet, in 201 when they all are', async () => {
    const waiting = await newDocument(['A', TaskState.SUCCESS], ['B', TaskState.QUEUED]);
    expect(await one({ document_id: waiting, key: 'C', depends_on: ['A', 'B', 'X'] })).toMatchObject({
      state: TaskState.UNFINISHED_DEPENDENCY,
      msg: 'Waiting for dependencies: B, X',
    });
    const ready = await newDocument(['A', TaskState.SUCCESS], ['B', TaskState.SUCCESS]);
    expect((await one({ document_id: ready, key: 'C', depends_on: ['A', 'B'] })).state).toBe(TaskState.CREATED);
  });

  it('refuses an unknown document (404) and a key already assigned to the document (409), storing nothing more', async () => {
    await expect(one({ document_id: 'f'.repeat(40), key: 'ASR' })).rejects.toThrow(NotFoundError);
    const id = await newDocument(['ASR', TaskState.ERROR]);
    const err = await one({ document_id: id, key: 'ASR' }).catch((e) => e);
    expect(err).toBeInstanceOf(TaskAssignedError);
    expect(err.message).toBe(`Task \`ASR\` already assigned to document \`${id}\``);
    expect((await store.tasks.list({ documentId: id }, { page: 1, size: 10 })).total).toBe(1);
  });

  it('refuses a body without a key', async () => {
    await expect(service.assign({ document_id: await newDocument() })).rejects.toThrow(ValidationError);
  });

  it('a list: assigns what it can and reports each failure in the order given', async () => {
    const fresh = await newDocument();
    const taken = await newDocument(['ASR', TaskState.SUCCESS]);
    const other = await newDocument();
    const unknown = 'e'.repeat(40);
    const out = await service.assign({ document_id: [taken, fresh, '', unknown, fresh, other], key: 'ASR' });
    if (!out.many) throw new Error('expected the list answer');
    expect(out.success.map((t) => t.document_id)).toEqual([fresh, other]);
    expect(out.failed).toEqual([
      { document_id: taken, error: `Task \`ASR\` already assigned to document \`${taken}\`` },
      { document_id: '', error: '[400] document_id must be a non-empty string' },
      { document_id: unknown, error: `[404] 'No document with id \`${unknown}\` found'` },
      { document_id: fresh, error: `Task \`ASR\` already assigned to document \`${fresh}\`` },
    ]);
    for (const id of [fresh, other]) expect((await store.tasks.list({ documentId: id }, { page: 1, size: 10 })).items.map((t) => t.state)).toEqual([TaskState.CREATED]);
  });

  it('a list with dependencies: each document gets 412 or 201 after its own tasks', async () => {
    const done = await newDocument(['A', TaskState.SUCCESS]);
    const notYet = await newDocument(['A', TaskState.ERROR]);
    const out = await service.assign({ document_id: [done, notYet], key: 'B', depends_on: ['A'] });
    if (!out.many) throw new Error('expected the list answer');
    expect(out.success.map((t) => [t.document_id, t.state])).toEqual([
      [done, TaskState.CREATED],
      [notYet, TaskState.UNFINISHED_DEPENDENCY],
    ]);
  });
});
