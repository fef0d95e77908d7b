import { DaneStore, TaskState, type DaneDocument } from '@dane/core';
import { TaskAssignmentService } from '@dane/core/services/task-assignment.service';
import { createSqlStore } from '@dane/core/storage/sql';
import { makeDocument, makeTask } from '@dane/core/storage/sql/store-contract.fixtures';
import { DependencyService } from './dependency.service';
import { DispatchWakeups } from './dispatch-wakeups';

/** The server-side dependency handling against a real store (PGlite) and the real wake-up channel. */
describe('DependencyService', () => {
  let store: DaneStore;
  let service: DependencyService;
  let wakeups = 0;

  beforeAll(async () => {
    store = await createSqlStore({ kind: 'pglite' });
    const channel = new DispatchWakeups();
    channel.listen(() => wakeups++);
    service = new DependencyService(store, new TaskAssignmentService(store), channel);
  });
  afterAll(() => store.close());
  beforeEach(() => (wakeups = 0));

  /** A document with tasks `[key, state, depends_on?]`; returns it and the task ids by key. */
  async function documentWith(...tasks: Array<[string, number, string[]?]>): Promise<{ doc: DaneDocument; ids: Record<string, string> }> {
    const doc = makeDocument();
    await store.documents.insert(doc);
    const ids: Record<string, string> = {};
    for (const [key, state, dependsOn] of tasks) {
      const t = makeTask(doc, key, { state, dependsOn, msg: state === TaskState.UNFINISHED_DEPENDENCY ? `Waiting for dependencies: ${dependsOn?.join(', ')}` : 'as seeded' });
      await store.tasks.insert(t);
      ids[key] = t._id;
    }
    return { doc, ids };
  }
  const stored = async (id: string) => (await store.tasks.findById(id))!;

  it('releases the 412 tasks of the documents whose dependencies are all 200, and wakes the dispatcher once', async () => {
    const { doc, ids } = await documentWith(
      ['A', TaskState.SUCCESS],
      ['B', TaskState.UNFINISHED_DEPENDENCY, ['A']],
      ['C', TaskState.UNFINISHED_DEPENDENCY, ['A', 'D']],
      ['D', TaskState.QUEUED],
    );
    const released = await service.releaseDependants([doc._id, doc._id]);
    expect(released.map((t) => t._id)).toEqual([ids.B]);
    expect((await stored(ids.B)).state).toBe(TaskState.CREATED);
    expect((await stored(ids.C)).state).toBe(TaskState.UNFINISHED_DEPENDENCY);
    expect(wakeups).toBe(1);
  });

  it('no documents, or nothing to release: no wake-up', async () => {
    const { doc } = await documentWith(['A', TaskState.ERROR], ['B', TaskState.UNFINISHED_DEPENDENCY, ['A']]);
    expect(await service.releaseDependants([])).toEqual([]);
    expect(await service.releaseDependants([doc._id])).toEqual([]);
    expect(wakeups).toBe(0);
  });

  it('releaseAll heals a release that was lost, on every document', async () => {
    const one = await documentWith(['A', TaskState.SUCCESS], ['B', TaskState.UNFINISHED_DEPENDENCY, ['A']]);
    const two = await documentWith(['A', TaskState.SUCCESS], ['B', TaskState.UNFINISHED_DEPENDENCY, ['A']]);
    const released = (await service.releaseAll()).map((t) => t._id);
    expect(released).toEqual(expect.arrayContaining([one.ids.B, two.ids.B]));
    for (const id of [one.ids.B, two.ids.B]) expect((await stored(id)).state).toBe(TaskState.CREATED);
    expect(wakeups).toBe(1);
  });

  it('markBlocked says on the direct dependants what blocks them and leaves the others alone', async () => {
    const { ids } = await documentWith(
      ['A', TaskState.ERROR],
      ['B', TaskState.UNFINISHED_DEPENDENCY, ['A']],
      ['C', TaskState.UNFINISHED_DEPENDENCY, ['E']],
      ['E', TaskState.CREATED],
    );
    await service.markBlocked(await stored(ids.A));
    expect(await stored(ids.B)).toMatchObject({ state: TaskState.UNFINISHED_DEPENDENCY, msg: 'blocked by A: 500 ERROR' });
    expect((await stored(ids.C)).msg).toBe('Waiting for dependencies: E');
  });

  it('siblingKeys: the keys of the other tasks of the document, not 200 and 200', async () => {
    const { ids } = await documentWith(['A', TaskState.SUCCESS], ['B', TaskState.ERROR], ['C', TaskState.QUEUED], ['D', TaskState.SUCCESS], ['W', TaskState.QUEUED]);
    const { unfinished, done } = await service.siblingKeys(await stored(ids.W));
    expect(unfinished.sort()).toEqual(['B', 'C']);
    expect(done.sort()).toEqual(['A', 'D']);
  });

  it('assignDependencies assigns what a 412 reply names, skips what is assigned or invalid, then releases the waiting task', async () => {
    const { doc, ids } = await documentWith(['DONE', TaskState.SUCCESS], ['W', TaskState.UNFINISHED_DEPENDENCY, ['DONE']]);
    const spec = (key: string) => ({ key, priority: 1, args: {}, depends_on: [] });
    await service.assignDependencies(await stored(ids.W), [spec('DONE'), spec(''), spec('NEW')]);
    const keys = (await store.tasks.list({ documentId: doc._id }, { page: 1, size: 10 })).items.map((t) => [t.key, t.state]);
    expect(keys).toEqual(
      expect.arrayContaining([
        ['DONE', TaskState.SUCCESS],
        ['NEW', TaskState.CREATED],
        ['W', TaskState.CREATED],
      ]),
    );
    expect(keys).toHaveLength(3);
    expect(wakeups).toBe(1);
  });
});
