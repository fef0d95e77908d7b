import { TaskState } from '@dane/protocol';
import { DaneStore } from '../store.port';
import { createSqlStore } from './create-store';
import { testSchema } from './postgres-test-db';
import { makeDocument, makeTask, uniqueId, wipe } from './store-contract.fixtures';

const LEASE = 60_000;
/** A per-key limit no test reaches: fair share is on (it is the claim of SCHEDULER.MAX_IN_FLIGHT_PER_KEY > 0). */
const FAIR = 1_000_000;
const schema = testSchema('fair');

/** `count` documents of `creator`, each with one task of `key` (in that order, one insert). */
async function backlog(store: DaneStore, creator: string, count: number, key = 'ASR', priority = 1): Promise<string[]> {
  const docs = Array.from({ length: count }, () => makeDocument(uniqueId(creator), creator));
  await store.documents.insertMany(docs);
  const tasks = docs.map((d) => makeTask(d, key, { priority }));
  await store.tasks.insertMany(tasks);
  return tasks.map((t) => t._id);
}

const creatorOf = (c: { document: { creator: { id: unknown } } }) => String(c.document.creator.id);

describe.each([
  ['PostgreSQL', () => schema.create().then(() => createSqlStore({ kind: 'postgres', url: schema.url, poolSize: 4 }))],
  ['PGlite', () => createSqlStore({ kind: 'pglite' })],
] as const)('fair share between creators (%s)', (_name, open) => {
  let store: DaneStore;
  beforeAll(async () => {
    store = await open();
  }, 60_000);
  afterAll(async () => {
    await store?.close();
    if (_name === 'PostgreSQL') await schema.drop();
  });
  beforeEach(() => wipe(store), 60_000);

  it("dispatches a later creator's tasks between an earlier creator's backlog, each creator in its own order", async () => {
    const a = await backlog(store, 'A', 40);
    const b = await backlog(store, 'B', 5);
    const first = await store.tasks.claimRunnable(10, LEASE, FAIR);
    expect(first.map(creatorOf)).toEqual(['A', 'B', 'A', 'B', 'A', 'B', 'A', 'B', 'A', 'B']);
    expect(first.filter((c) => creatorOf(c) === 'A').map((c) => c.task._id)).toEqual(a.slice(0, 5));
    expect(first.filter((c) => creatorOf(c) === 'B').map((c) => c.task._id)).toEqual(b);
    const rest = await store.tasks.claimRunnable(100, LEASE, FAIR);
    expect(rest.map((c) => c.task._id)).toEqual(a.slice(5));
  });

  it("with 5,000 of A's tasks runnable, B's 10 submitted afterwards are all in the first claim", async () => {
    const a = await backlog(store, 'A', 5000);
    const b = await backlog(store, 'B', 10);
    const claimed: string[] = [];
    for (let batch = await store.tasks.claimRunnable(200, LEASE, FAIR); batch.length > 0; batch = await store.tasks.claimRunnable(200, LEASE, FAIR)) {
      claimed.push(...batch.map((c) => c.task._id));
    }
    expect(claimed).toHaveLength(5010);
    expect(Math.max(...b.map((id) => claimed.indexOf(id)))).toBeLessThan(20);
    // A keeps its FIFO order throughout.
    expect(claimed.filter((id) => !b.includes(id))).toEqual(a);
  }, 120_000);

  it('keeps priorities first: a higher priority goes before every turn of a lower one', async () => {
    const aLow = await backlog(store, 'A', 6, 'ASR', 1);
    const bLow = await backlog(store, 'B', 2, 'ASR', 1);
    const aHigh = await backlog(store, 'A', 3, 'ASR', 5);
    const claimed = (await store.tasks.claimRunnable(20, LEASE, FAIR)).map((c) => c.task._id);
    expect(claimed).toEqual([...aHigh, aLow[0], bLow[0], aLow[1], bLow[1], ...aLow.slice(2)]);
  });

  it('keeps one creator in FIFO order across claims, whatever the keys', async () => {
    const doc = makeDocument(uniqueId('solo'), 'SOLO');
    await store.documents.insert(doc);
    const keys = Array.from({ length: 30 }, (_, i) => `K${i}`);
    await store.tasks.insertMany(keys.map((k) => makeTask(doc, k)));
    const claimed: string[] = [];
    for (let round = 0; round < 3; round++) claimed.push(...(await store.tasks.claimRunnable(10, LEASE, FAIR)).map((c) => c.task.key));
    // Different keys are different groups, each with one task: their turn 1, oldest first.
    expect(claimed).toEqual(keys);
  });

  it('claims no task of a key that has maxInFlightPerKey tasks in 102; other keys go on', async () => {
    await backlog(store, 'A', 12, 'ASR');
    await backlog(store, 'B', 3, 'OCR');
    const first = await store.tasks.claimRunnable(50, LEASE, 5);
    expect(first.filter((c) => c.task.key === 'ASR')).toHaveLength(5);
    expect(first.filter((c) => c.task.key === 'OCR')).toHaveLength(3);
    expect(await store.tasks.claimRunnable(50, LEASE, 5)).toEqual([]);
    const done = first.filter((c) => c.task.key === 'ASR').slice(0, 2);
    for (const c of done) await store.tasks.transition({ id: c.task._id, from: [TaskState.QUEUED], to: TaskState.SUCCESS, msg: 'Success' });
    expect((await store.tasks.claimRunnable(50, LEASE, 5)).map((c) => c.task.key)).toEqual(['ASR', 'ASR']);
    // 0 = no limit.
    expect(await store.tasks.claimRunnable(50, LEASE, 0)).toHaveLength(5);
  });

  it('without a per-key limit claims the cheap way: priority, then oldest, whatever the creator', async () => {
    const a = await backlog(store, 'A', 6);
    const b = await backlog(store, 'B', 2);
    const urgent = await backlog(store, 'C', 1, 'ASR', 5);
    expect((await store.tasks.claimRunnable(20, LEASE)).map((c) => c.task._id)).toEqual([...urgent, ...a, ...b]);
  });
});
