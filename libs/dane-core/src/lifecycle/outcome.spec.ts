import { DaneTask, createTask, WorkerReply, TaskState, type IncomingReply } from '@dane/protocol';
import { DecisionContext, ReplyDecision, decideReply } from './outcome';
import { PARKED_UNTIL, RetryPolicy } from './retry-policy';

const policy: RetryPolicy = { maxRetries: 3, maxRetriesPerKey: { ASR: 1 }, baseMs: 1000, maxMs: 60_000 };
const now = new Date('2024-05-13T10:00:00Z');
const ctx: DecisionContext = { now, policy, random: () => 0.5 };

function inFlight(key = 'DOWNLOAD', extra: Partial<DaneTask> = {}): DaneTask {
  return { ...createTask('doc1', { key, priority: 1, args: {}, depends_on: [] }), state: TaskState.QUEUED, msg: 'Queued', attempt: 2, ...extra };
}

function reply(state: number, message = 'msg', extra: Partial<WorkerReply> = {}): WorkerReply {
  return { state, message, extra: {}, ...extra };
}

function outcome(state: number, message?: string, more: Partial<IncomingReply> = {}): IncomingReply {
  return { kind: 'outcome', reply: reply(state, message), ...more };
}

function transition(d: ReplyDecision) {
  if (d.action !== 'transition') throw new Error(`expected a transition, got ${JSON.stringify(d)}`);
  return d;
}

describe('decideReply', () => {
  it('stores 200 as success, conditional on 102 at the attempt read, and resets the retry counter', () => {
    const d = transition(decideReply(inFlight(), outcome(TaskState.SUCCESS, 'Success'), ctx));
    expect(d.effect).toBe('succeeded');
    expect(d.request).toEqual({ id: inFlight()._id, from: [TaskState.QUEUED], attempt: 2, to: TaskState.SUCCESS, msg: 'Success', retries: 'reset', notBefore: null });
  });

  it('ignores a reply for another attempt, and any reply to a task not in flight', () => {
    expect(decideReply(inFlight(), outcome(TaskState.SUCCESS, 'ok', { attempt: 1 }), ctx)).toMatchObject({ action: 'ignore' });
    expect(decideReply(inFlight('DOWNLOAD', { state: TaskState.SUCCESS }), outcome(TaskState.SUCCESS), ctx)).toMatchObject({ action: 'ignore' });
    expect(decideReply(inFlight(), outcome(TaskState.SUCCESS, 'ok', { attempt: 2 }), ctx)).toMatchObject({ action: 'transition' });
  });

  it('ignores every reply to a cancelled task, at its attempt too: the late reply changes nothing', () => {
    const cancelled = inFlight('DOWNLOAD', { state: TaskState.CANCELLED });
    for (const state of [TaskState.SUCCESS, TaskState.ERROR, TaskState.ERROR_PROXY, TaskState.QUEUED]) {
      expect(decideReply(cancelled, outcome(state, 'late', { attempt: 2 }), ctx)).toEqual({ action: 'ignore', reason: 'task was cancelled (499); its reply changes nothing' });
    }
  });

  it('retries a 503 after the delay the worker asks for (retry_after_ms, at most 24 h) instead of its back-off; ignores nonsense', () => {
    const asking = (v: unknown) =>
      transition(decideReply(inFlight(), { kind: 'outcome', reply: reply(TaskState.ERROR_PROXY, 'rate limited', { extra: { retry_after_ms: v } }) }, ctx));
    expect(asking(90_000).request).toMatchObject({ to: TaskState.ERROR_PROXY, retries: 'increment', notBefore: new Date(now.getTime() + 90_000) });
    expect(asking(0).request.notBefore).toEqual(now);
    expect(asking(7 * 24 * 3600_000).request.notBefore).toEqual(new Date(now.getTime() + 24 * 3600_000));
    for (const nonsense of [-5, 'soon', null, Number.NaN]) expect(asking(nonsense).request.notBefore).toEqual(new Date(now.getTime() + 500)); // the back-off
  });

  it('treats state 102 and kind=heartbeat as a heartbeat carrying progress', () => {
    expect(decideReply(inFlight(), outcome(TaskState.QUEUED, '40% done'), ctx)).toEqual({ action: 'heartbeat', attempt: 2, msg: '40% done' });
    expect(decideReply(inFlight(), { kind: 'heartbeat', reply: reply(TaskState.QUEUED, 'alive') }, ctx)).toMatchObject({ action: 'heartbeat' });
  });

  it('retries 502/503 with back-off while the key has retries left', () => {
    const d = transition(decideReply(inFlight('DOWNLOAD', { retries: 1 }), outcome(TaskState.ERROR_PROXY, 'service down'), ctx));
    expect(d.effect).toBe('retry_scheduled');
    expect(d.request).toMatchObject({ to: TaskState.ERROR_PROXY, retries: 'increment', msg: 'service down — retry 2 of 3, attempt 2' });
    // second retry: ceiling 2000 ms, jitter 0.5 → 1000 ms
    expect(d.request.notBefore).toEqual(new Date(now.getTime() + 1000));
  });

  it('parks a 502 whose retries are spent, saying so, with the per-key limit', () => {
    const d = transition(decideReply(inFlight('ASR', { retries: 1 }), outcome(TaskState.ERROR_INVALID_INPUT, 'bad input'), ctx));
    expect(d.effect).toBe('retries_spent');
    expect(d.request).toMatchObject({ to: TaskState.ERROR_INVALID_INPUT, msg: 'bad input — retries spent (1 of 1), attempt 2', notBefore: PARKED_UNTIL });
    expect(d.request.retries).toBeUndefined();
  });

  it.each([TaskState.BAD_REQUEST, TaskState.ACCESS_DENIED, TaskState.NOT_FOUND, TaskState.NO_ROUTE_TO_QUEUE, TaskState.ERROR])('stores %i and waits for a person', (state) => {
    const d = transition(decideReply(inFlight(), outcome(state, 'nope'), ctx));
    expect(d.effect).toBe('needs_person');
    expect(d.request).toMatchObject({ to: state, msg: 'nope', notBefore: null });
  });

  it('sends a refused job back to runnable after a back-off, counting it as a retry', () => {
    const d = transition(decideReply(inFlight(), { kind: 'refused', reply: reply(TaskState.CREATED, 'busy') }, ctx));
    expect(d.effect).toBe('retry_scheduled');
    expect(d.request).toMatchObject({ to: TaskState.CREATED, retries: 'increment', msg: 'Refused by worker: busy — retry 1 of 3, attempt 2' });
    expect(d.request.notBefore).toEqual(new Date(now.getTime() + 500));
  });

  it('waits in 412 for the dependencies a worker names, merged with the ones it had, and assigns them', () => {
    const task = inFlight('ASR', { depends_on: ['PREP'] });
    const d = transition(
      decideReply(task, { kind: 'outcome', reply: reply(TaskState.UNFINISHED_DEPENDENCY, 'Unfinished dependencies', { dependencies: ['DOWNLOAD', { key: 'PREP' }] }) }, ctx),
    );
    expect(d.effect).toBe('waiting_for_dependencies');
    expect(d.request).toMatchObject({ to: TaskState.UNFINISHED_DEPENDENCY, dependsOn: ['PREP', 'DOWNLOAD'], notBefore: null });
    expect(d.assign!.map((s) => s.key)).toEqual(['DOWNLOAD', 'PREP']);
  });

  it('waits for the unfinished siblings when a 412 names no dependency (assigned but unfinished)', () => {
    const d = transition(
      decideReply(
        inFlight('ASR'),
        { kind: 'outcome', reply: reply(TaskState.UNFINISHED_DEPENDENCY, 'Unfinished dependencies', { dependencies: [] }) },
        { ...ctx, unfinishedSiblings: ['DOWNLOAD'] },
      ),
    );
    expect(d.request).toMatchObject({ to: TaskState.UNFINISHED_DEPENDENCY, dependsOn: ['DOWNLOAD'] });
    expect(d.assign).toEqual([]);
  });

  it('retries with back-off a 412 that leaves nothing to wait for, instead of holding it forever', () => {
    const d = transition(
      decideReply(
        inFlight('ASR'),
        { kind: 'outcome', reply: reply(TaskState.UNFINISHED_DEPENDENCY, 'Unfinished dependencies', { dependencies: [] }) },
        { ...ctx, unfinishedSiblings: [] },
      ),
    );
    expect(d.effect).toBe('retry_scheduled');
    expect(d.request).toMatchObject({ to: TaskState.CREATED, retries: 'increment' });
    expect(d.request.msg).toBe(
      'Unfinished dependencies: the worker says a dependency is unfinished without naming it, but the document has no other unfinished task — retry 1 of 1, attempt 2',
    );
  });

  describe('a worker that answers 412 for what the server sees as done, or names what it cannot assign (issue 13, item 4)', () => {
    const unfinished = (dependencies: WorkerReply['dependencies']): IncomingReply => ({
      kind: 'outcome',
      reply: reply(TaskState.UNFINISHED_DEPENDENCY, 'Unfinished dependencies', { dependencies }),
    });
    const serverHas = { ...ctx, unfinishedSiblings: [], doneSiblings: ['DOWNLOAD'] };

    it('does not wait in 412 for a dependency the server has in 200 (that would release it at once and loop): a retry with back-off, named', () => {
      const d = transition(decideReply(inFlight('ASR', { attempt: 2, depends_on: ['DOWNLOAD'] }), unfinished(['DOWNLOAD']), serverHas));
      expect(d.effect).toBe('retry_scheduled');
      expect(d.request).toEqual({
        id: inFlight('ASR')._id,
        from: [TaskState.QUEUED],
        attempt: 2,
        to: TaskState.CREATED,
        msg: 'Unfinished dependencies: the worker says DOWNLOAD is unfinished but the server has it done (200) — does the worker read another store? — retry 1 of 1, attempt 2',
        notBefore: new Date(now.getTime() + 500),
        retries: 'increment',
      });
      expect(d.assign).toBeUndefined();
    });

    it('counts each such 412 against the retry budget, then parks the task for a person with the dependency and the cause named', () => {
      // The loop a Python worker reading Elasticsearch against a PostgreSQL server would drive: bounded.
      let task = inFlight('DIARIZE', { attempt: 1, retries: 0 });
      const effects: string[] = [];
      let last: ReturnType<typeof transition> | undefined;
      for (let i = 0; i < 10 && last?.effect !== 'retries_spent'; i++) {
        last = transition(decideReply(task, unfinished([{ key: 'DOWNLOAD' }]), serverHas));
        effects.push(last.effect);
        task = { ...task, attempt: task.attempt + 1, retries: (task.retries ?? 0) + (last.request.retries === 'increment' ? 1 : 0) };
      }
      expect(effects).toEqual(['retry_scheduled', 'retry_scheduled', 'retry_scheduled', 'retries_spent']);
      expect(last!.request).toMatchObject({
        to: TaskState.CREATED,
        notBefore: PARKED_UNTIL,
        msg: 'Unfinished dependencies: the worker says DOWNLOAD is unfinished but the server has it done (200) — does the worker read another store? — retries spent (3 of 3), attempt 4',
      });
      expect(last!.request.retries).toBeUndefined();
    });

    it('names every done dependency, and still waits when one named dependency is unfinished on the server', () => {
      const both = transition(decideReply(inFlight(), unfinished(['SHOTS', 'ASR']), { ...ctx, doneSiblings: ['SHOTS', 'ASR'] }));
      expect(both.request.msg).toMatch(/^Unfinished dependencies: the worker says SHOTS, ASR are unfinished but the server has them done \(200\)/);
      const oneOpen = transition(decideReply(inFlight(), unfinished(['SHOTS', 'ASR']), { ...ctx, doneSiblings: ['SHOTS'] }));
      expect(oneOpen.effect).toBe('waiting_for_dependencies');
      expect(oneOpen.request).toMatchObject({ to: TaskState.UNFINISHED_DEPENDENCY, dependsOn: ['SHOTS', 'ASR'] });
    });

    it('retries with back-off, naming it, a 412 whose only dependency the server cannot assign (an invalid key), instead of waiting for other tasks', () => {
      const d = transition(decideReply(inFlight(), unfinished(['down load']), { ...ctx, unfinishedSiblings: ['OTHER'], doneSiblings: [] }));
      expect(d.effect).toBe('retry_scheduled');
      expect(d.request).toMatchObject({ to: TaskState.CREATED, retries: 'increment' });
      expect(d.request.msg).toMatch(
        /^Unfinished dependencies: the worker names a dependency the server cannot assign: "down load" \(dependency .+\) — is the worker's dependency list wrong\? — retry 1 of 3, attempt 2$/,
      );
      const spent = transition(decideReply(inFlight('DOWNLOAD', { retries: 3 }), unfinished(['down load', { nokey: 1 }]), { ...ctx, doneSiblings: [] }));
      expect(spent.effect).toBe('retries_spent');
      expect(spent.request.msg).toMatch(/the server cannot assign: "down load" \(.+\); \{"nokey":1\} \(.+\) — .* — retries spent \(3 of 3\), attempt 2$/);
    });

    it('still waits for the task`s own unfinished depends_on when the named key is invalid', () => {
      const d = transition(decideReply(inFlight('ASR', { depends_on: ['PREP'] }), unfinished(['down load']), { ...ctx, doneSiblings: [] }));
      expect(d.effect).toBe('waiting_for_dependencies');
      expect(d.request).toMatchObject({ dependsOn: ['PREP'] });
      expect(d.rejected).toEqual([{ entry: 'down load', reason: expect.any(String) }]);
    });

    it('names the done tasks of the document for a 412 that names nothing while nothing is unfinished', () => {
      const d = transition(decideReply(inFlight(), unfinished([]), serverHas));
      expect(d.request.msg).toBe(
        'Unfinished dependencies: the worker says a dependency is unfinished without naming it, but the server has every other task of the document done (DOWNLOAD: 200) — does the worker read another store? — retry 1 of 3, attempt 2',
      );
    });
  });
});
