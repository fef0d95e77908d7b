import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { cancellationRoutingKeys } from '../broker/cancellation-listener';
import { Cancellations, TaskCancelledError } from './cancellations';

/** A full garbage collection (the flag is set before a fresh context is asked for its `gc`). */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

describe('cancellations heard by a worker (docs/protocol.md, Cancellation)', () => {
  it('binds task.<KEY>.499 for the concrete keys, task.*.499 when a binding key ends in a wildcard', () => {
    expect(cancellationRoutingKeys(['#.ASR', 'Video.asr', '*.NER'])).toEqual(['task.ASR.499', 'task.NER.499']);
    expect(cancellationRoutingKeys(['#.ASR', '#'])).toEqual(['task.*.499']);
    expect(cancellationRoutingKeys(['Video.*'])).toEqual(['task.*.499']);
  });

  it('aborts the running task of that id at that attempt (or an older one), never a newer dispatch or another task', () => {
    const c = new Cancellations();
    const a = c.start('a', 2);
    const b = c.start('b', 1);
    const newer = c.start('c', 3);
    expect(c.cancel('a', 2)).toBe(1);
    expect(a.signal.aborted).toBe(true);
    expect(a.signal.reason).toBeInstanceOf(TaskCancelledError);
    expect((a.signal.reason as TaskCancelledError).taskId).toBe('a');
    expect(b.signal.aborted).toBe(false);
    expect(c.cancel('c', 2)).toBe(0);
    expect(newer.signal.aborted).toBe(false);
    // Without attempts (a Python server sends none) a cancel applies to any run of the task.
    const untracked = c.start('d', undefined);
    expect(c.cancel('d', 4)).toBe(1);
    expect(untracked.signal.aborted).toBe(true);
    a.end();
    expect(c.cancel('a', 2)).toBe(0);
  });

  it('aborts a running task’s signal when the worker stops, with the stop’s reason; an ended task no longer listens', () => {
    const c = new Cancellations();
    const stop = new AbortController();
    const running = c.start('a', 1, stop.signal);
    const ended = c.start('b', 1, stop.signal);
    ended.end();
    const reason = new Error('worker stopping');
    stop.abort(reason);
    expect(running.signal.aborted).toBe(true);
    expect(running.signal.reason).toBe(reason);
    expect(ended.signal.aborted).toBe(false);
    // A task that starts once the worker is stopping is aborted from the start.
    expect(c.start('c', 1, stop.signal).signal.reason).toBe(reason);
  });

  it('keeps nothing of an ended task on the worker’s stop signal (AbortSignal.any kept ~2 KB a task on Node 20)', () => {
    const c = new Cancellations();
    const stop = new AbortController();
    const cycle = (n: number) => {
      for (let i = 0; i < n; i++) c.start(`t${i}`, 1, stop.signal).end();
    };
    cycle(1000);
    collectGarbage();
    const before = process.memoryUsage().heapUsed;
    cycle(50_000);
    collectGarbage();
    // 50,000 tasks: ~100 MB kept with AbortSignal.any; nothing but noise now.
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(8 * 1024 * 1024);
  });

  it('remembers cancelled attempts: a message of one that arrives later is not run; a later attempt is', () => {
    const c = new Cancellations();
    c.cancel('a', 2);
    expect(c.wasCancelled('a', 2)).toBe(true);
    expect(c.wasCancelled('a', 1)).toBe(true);
    expect(c.wasCancelled('a', 3)).toBe(false);
    expect(c.wasCancelled('a', undefined)).toBe(false);
    expect(c.wasCancelled('b', 1)).toBe(false);
  });
});
