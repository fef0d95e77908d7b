import { ValidationError, DaneResult, NOT_ERRORED_STATES, TaskState, UNFINISHED_EXCLUDED_STATES, encodeCursor, Page, PageRequest } from '@dane/protocol';
import { DaneStore, TaskFilter } from '../../store.port';
import { makeDocument, makeResult, seed, uniqueId } from '../store-contract.fixtures';

const S = TaskState;

/**
 * Walks a list by cursor, `size` at a time, from the first page; `between(n)` runs after page n.
 * Checks on the way that every page but the last is full and carries `next`.
 */
async function walk<T>(read: (page: PageRequest) => Promise<Page<T>>, size: number, between: (n: number) => Promise<void> = async () => undefined): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (let n = 1; n < 1000; n++) {
    const page = await read({ page: 1, size, ...(cursor === undefined ? {} : { cursor }) });
    expect(page.items.length).toBeLessThanOrEqual(size);
    items.push(...page.items);
    if (page.next === undefined) return items;
    expect(page.items).toHaveLength(size);
    cursor = page.next;
    await between(n);
  }
  throw new Error('the walk did not end');
}

/** Keyset (cursor) paging of the task, document and result lists (docs/protocol.md, Conventions). */
export function pagingContract(store: () => DaneStore): void {
  describe('paging by cursor', () => {
    it('walks every task list by cursor while tasks are added and removed: no duplicates, no skips, new ones at the end', async () => {
      const creator = uniqueId('PAGER');
      const docs: Awaited<ReturnType<typeof seed>>[] = [];
      for (let i = 0; i < 5; i++) docs.push(await seed(store(), ['ASR', 'NER', 'OCR'], makeDocument(undefined, i % 2 ? creator : 'Other')));
      const all = docs.flatMap((d) => d.tasks);
      const move = (i: number, to: number) => store().tasks.transition({ id: all[i]._id, from: [S.CREATED], to, msg: String(to) });
      for (const i of [0, 4, 8, 12]) await move(i, S.ERROR);
      for (const i of [1, 5, 9]) await move(i, S.QUEUED);
      for (const i of [2, 6, 10, 14]) await move(i, S.SUCCESS);

      const filters: [string, TaskFilter][] = [
        ['all', {}],
        ['one key', { key: 'ASR' }],
        ['in 102', { states: [S.QUEUED] }],
        ['unfinished', { notStates: UNFINISHED_EXCLUDED_STATES }],
        ['errored of a key', { key: 'ASR', notStates: NOT_ERRORED_STATES }],
        ['a creator`s key', { creatorId: creator, key: 'NER' }],
        ['a document', { documentId: docs[2].doc._id }],
      ];
      for (const [name, filter] of filters) {
        const before = (await store().tasks.list(filter, { page: 1, size: 1000 })).items.map((t) => t._id);
        const added: string[] = [];
        const walked = await walk(
          (p) => store().tasks.list(filter, p),
          2,
          async (n) => {
            if (n === 1) {
              // Remove a task already read (OFFSET paging would now skip one) and add a document with tasks.
              await store().tasks.delete(before[0]);
              const extra = await seed(store(), ['ASR', 'NER'], makeDocument(undefined, creator));
              const now = (await store().tasks.list(filter, { page: 1, size: 1000 })).items.map((t) => t._id);
              added.push(...now.filter((id) => extra.tasks.some((t) => t._id === id)));
            }
          },
        );
        const ids = walked.map((t) => t._id);
        expect({ name, duplicates: ids.length - new Set(ids).size }).toEqual({ name, duplicates: 0 });
        // The walk reads every task that was there before it (the removed one was read first), in order, then the new ones.
        expect({ name, ids }).toEqual({ name, ids: [...before, ...added] });
      }
    });

    it('tells the last page by the absence of `next`, also when it is exactly full, and counts exactly', async () => {
      const { doc } = await seed(store(), ['A', 'B', 'C', 'D']);
      const first = await store().tasks.list({ documentId: doc._id }, { page: 1, size: 2 });
      expect(first).toMatchObject({ total: 4, page: 1, size: 2, next: expect.any(String) });
      expect(first).not.toHaveProperty('totalEstimated');
      const second = await store().tasks.list({ documentId: doc._id }, { page: 1, size: 2, cursor: first.next });
      expect(second.items.map((t) => t.key)).toEqual(['C', 'D']);
      expect(second).toMatchObject({ total: 4, cursor: first.next });
      expect(second).not.toHaveProperty('next');
      expect(await store().tasks.list({ documentId: doc._id }, { page: 1, size: 4 })).not.toHaveProperty('next');
      expect((await store().tasks.list({ documentId: doc._id }, { page: 3, size: 2 })).total).toBe(4);
    });

    it('keeps page numbers (OFFSET) for the original clients, and a numbered page`s `next` continues where it ends', async () => {
      const { doc } = await seed(store(), ['A', 'B', 'C', 'D', 'E', 'F', 'G']);
      const keys = async (p: PageRequest) => (await store().tasks.list({ documentId: doc._id }, p)).items.map((t) => t.key);
      expect(await keys({ page: 2, size: 3 })).toEqual(['D', 'E', 'F']);
      expect(await keys({ page: 3, size: 3 })).toEqual(['G']);
      const page2 = await store().tasks.list({ documentId: doc._id }, { page: 2, size: 3 });
      expect(page2.total).toBe(7);
      expect(await keys({ page: 1, size: 3, cursor: page2.next })).toEqual(['G']);
    });

    it('walks documents and results by cursor with inserts in the middle', async () => {
      const creator = uniqueId('PAGER');
      const docs: Awaited<ReturnType<typeof seed>>[] = [];
      for (let i = 0; i < 7; i++) docs.push(await seed(store(), ['ASR'], makeDocument(undefined, creator)));
      const results: DaneResult[] = [];
      for (const { tasks } of docs) results.push(await store().results.insert(makeResult(tasks[0], 'ASR', 'g1')));
      results.push(await store().results.insert(makeResult(docs[0].tasks[0], 'ASR', 'g1')));

      const before = docs.map((d) => d.doc._id);
      const late: string[] = [];
      const walkedDocs = await walk(
        (p) => store().documents.search({ creatorId: creator }, p),
        3,
        async (n) => {
          if (n === 1) late.push((await seed(store(), [], makeDocument(undefined, creator))).doc._id);
        },
      );
      expect(walkedDocs.map((d) => d._id)).toEqual([...before, ...late]);

      const lateResults: string[] = [];
      const walkedResults = await walk(
        (p) => store().results.find({ creatorId: creator, taskKey: 'ASR' }, p),
        2,
        async (n) => {
          if (n === 2) lateResults.push((await store().results.insert(makeResult(docs[3].tasks[0], 'ASR', 'g2')))._id);
        },
      );
      expect(walkedResults.map((r) => r._id)).toEqual([...results.map((r) => r._id), ...lateResults]);
      const ofTask = await walk((p) => store().results.find({ taskId: docs[0].tasks[0]._id }, p), 1);
      expect(ofTask.map((r) => r._id)).toEqual([results[0]._id, results[7]._id]);
    });

    it('refuses a malformed cursor, or one of another kind of list, as a ValidationError naming `cursor`', async () => {
      await seed(store(), ['ASR']);
      const bad = ['!!', 'bm9wZQ', encodeCursor('tasks', [1, 2]), Buffer.from('["t","1"]').toString('base64url'), 'x'.repeat(500)];
      for (const cursor of bad) {
        await expect(store().tasks.list({}, { page: 1, size: 10, cursor })).rejects.toThrow(ValidationError);
        await expect(store().tasks.list({}, { page: 1, size: 10, cursor })).rejects.toThrow(/^cursor /);
      }
      await expect(store().tasks.list({}, { page: 1, size: 10, cursor: encodeCursor('documents', [1]) })).rejects.toThrow(/^cursor belongs to another kind of list/);
      await expect(store().documents.search({}, { page: 1, size: 10, cursor: encodeCursor('results', [1]) })).rejects.toThrow(ValidationError);
      await expect(store().results.find({}, { page: 1, size: 10, cursor: encodeCursor('tasks', [1]) })).rejects.toThrow(ValidationError);
      // A well-formed cursor past the end is simply an empty last page.
      const past = await store().tasks.list({}, { page: 1, size: 10, cursor: encodeCursor('tasks', [Number.MAX_SAFE_INTEGER]) });
      expect(past.items).toEqual([]);
      expect(past).not.toHaveProperty('next');
    });
  });
}
