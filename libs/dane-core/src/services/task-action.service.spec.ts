import { InvalidStateError, NotFoundError, TaskState, ValidationError } from '@dane/protocol';
import { createSqlStore } from '../storage/sql';
import { makeDocument, makeTask } from '../storage/sql/store-contract.fixtures';
import type { DaneStore } from '../storage/store.port';
import { TaskActionService, parseTaskAction } from './task-action.service';

/** The manual interventions against a real store (PGlite): the transitions, the 412 of unmet dependencies, the cascade. */
describe('TaskActionService', () => {
  let store: DaneStore;
  let actions: TaskActionService;

  beforeAll(async () => {
    store = await createSqlStore({ kind: 'pglite' });
    actions = new TaskActionService(store);
  });
  afterAll(() => store.close());

  /** A document with tasks `[key, state, depends_on?]`, stored as given with one retry used; returns the task ids by key. */
  async function documentWith(...tasks: Array<[string, number, string[]?]>) {
    const doc = makeDocument();
    await store.documents.insert(doc);
    const byKey: Record<string, string> = {};
    for (const [key, state, dependsOn] of tasks) {
      const t = makeTask(doc, key, { state, dependsOn, msg: `was ${state}` });
      await store.tasks.insert(t);
      // One automatic retry used, as the reply handling counts them.
      await store.tasks.transition({ id: t._id, from: [state], to: state, msg: t.msg, retries: 'increment' });
      byKey[key] = t._id;
    }
    return byKey;
  }
  const stored = async (id: string) => (await store.tasks.findById(id))!;

  it('retry: a failed task back to 201 "Manual retry" with its automatic retries reset', async () => {
    const { ASR } = await documentWith(['ASR', TaskState.ERROR]);
    expect((await stored(ASR)).retries).toBe(1);
    const task = await actions.apply(ASR, 'retry');
    expect(task).toMatchObject({ _id: ASR, state: TaskState.CREATED, msg: 'Manual retry', retries: 0 });
    expect(await stored(ASR)).toMatchObject({ state: TaskState.CREATED, msg: 'Manual retry' });
  });

  it('retry refuses 200 and 102 (naming forceretry) and leaves the task as it was; forceretry runs a 200 again', async () => {
    const { DONE, BUSY } = await documentWith(['DONE', TaskState.SUCCESS], ['BUSY', TaskState.QUEUED]);
    for (const id of [DONE, BUSY]) {
      const err = await actions.apply(id, 'retry').catch((e) => e);
      expect(err).toBeInstanceOf(InvalidStateError);
      expect(err.message).toMatch(/retry refuses tasks in 102 QUEUED or 200 SUCCESS \(use forceretry/);
    }
    expect((await stored(DONE)).state).toBe(TaskState.SUCCESS);
    expect((await stored(BUSY)).state).toBe(TaskState.QUEUED);
    expect(await actions.apply(DONE, 'forceretry')).toMatchObject({ state: TaskState.CREATED, msg: 'Forced retry' });
  });

  it('a task whose own dependency is not 200 goes to 412, naming what it waits for, not to 201', async () => {
    const { B } = await documentWith(['A', TaskState.ERROR], ['B', TaskState.ERROR, ['A']]);
    expect(await actions.apply(B, 'reset')).toMatchObject({ state: TaskState.UNFINISHED_DEPENDENCY, msg: 'Waiting for dependencies: A' });
  });

  it('a task whose dependencies are all 200 goes to 201', async () => {
    const { B } = await documentWith(['A', TaskState.SUCCESS], ['B', TaskState.ERROR, ['A']]);
    expect(await actions.apply(B, 'retry')).toMatchObject({ state: TaskState.CREATED, msg: 'Manual retry' });
  });

  it('reset with cascade puts the dependants, transitively, back to 412 and leaves the other tasks alone', async () => {
    const ids = await documentWith(['A', TaskState.SUCCESS], ['B', TaskState.SUCCESS, ['A']], ['C', TaskState.ERROR, ['B']], ['D', TaskState.SUCCESS]);
    expect(await actions.apply(ids.A, 'reset', { cascade: true })).toMatchObject({ state: TaskState.CREATED, msg: 'Reset' });
    expect(await stored(ids.B)).toMatchObject({ state: TaskState.UNFINISHED_DEPENDENCY, msg: 'Waiting for dependencies: A' });
    expect(await stored(ids.C)).toMatchObject({ state: TaskState.UNFINISHED_DEPENDENCY, msg: 'Waiting for dependencies: B' });
    expect(await stored(ids.D)).toMatchObject({ state: TaskState.SUCCESS });
  });

  it('reset without cascade leaves the dependants as they are', async () => {
    const ids = await documentWith(['A', TaskState.SUCCESS], ['B', TaskState.SUCCESS, ['A']]);
    await actions.apply(ids.A, 'reset');
    expect((await stored(ids.B)).state).toBe(TaskState.SUCCESS);
  });

  it('an unknown task is a 404', async () => {
    await expect(actions.apply('f'.repeat(40), 'retry')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('massReset: every task of the key in the state (500 by default) → 205, others untouched; nothing affected is said', async () => {
    const a = await documentWith(['MASSKEY', TaskState.ERROR], ['OTHERKEY', TaskState.ERROR]);
    const b = await documentWith(['MASSKEY', TaskState.ERROR]);
    const c = await documentWith(['MASSKEY', TaskState.SUCCESS]);
    expect(await actions.massReset('masskey')).toEqual({ total: 2, error: '' });
    for (const id of [a.MASSKEY, b.MASSKEY]) expect(await stored(id)).toMatchObject({ state: TaskState.TASK_RESET, msg: 'Manual reset' });
    expect((await stored(a.OTHERKEY)).state).toBe(TaskState.ERROR);
    expect((await stored(c.MASSKEY)).state).toBe(TaskState.SUCCESS);
    expect(await actions.massReset('MASSKEY')).toEqual({ total: 0, error: 'No tasks affected' });
    expect(await actions.massReset('MASSKEY', '200')).toEqual({ total: 1, error: '' });
    await expect(actions.massReset('MASSKEY', 'x')).rejects.toBeInstanceOf(ValidationError);
  });

  it('parseTaskAction takes any case and refuses other words', () => {
    expect(parseTaskAction('ForceRetry')).toBe('forceretry');
    expect(() => parseTaskAction('delete')).toThrow(/allowed actions: retry, forceretry, reset/);
  });
});
